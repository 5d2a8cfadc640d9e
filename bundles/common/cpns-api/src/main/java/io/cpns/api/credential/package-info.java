/**
 * The PN GW's credential module (TS §5.3.3.1, §5.3.3.2 condition 2: "fixed or removable module
 * keeping identity information and credential (e.g., a SIM/USIM/ISIM)"): where the PN GW's EUKey
 * is kept and used. docs/security.md "Credential module".
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.1")
package io.cpns.api.credential;
