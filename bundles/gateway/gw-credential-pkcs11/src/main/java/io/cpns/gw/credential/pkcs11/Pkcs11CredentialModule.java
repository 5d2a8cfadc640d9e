package io.cpns.gw.credential.pkcs11;

import io.cpns.api.CpnsException;
import io.cpns.api.credential.CredentialModule;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The PN GW's credential module on a PKCS#11 token (TS §5.3.3.2 condition 2; a SIM-like secure
 * element, SoftHSM2 in tests). Registers nothing until configured ({@code cpns.gw.credential.pkcs11}):
 * the token is opened and logged in at activation, and a token that cannot be reached or refuses
 * the PIN leaves no service (said once in the log), so the PN GW goes on with its keystore.
 */
@Component(configurationPid = Pkcs11CredentialModule.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = CredentialModule.class)
@Designate(ocd = Pkcs11CredentialModule.Config.class)
public class Pkcs11CredentialModule implements CredentialModule {
    public static final String PID = "cpns.gw.credential.pkcs11";

    @ObjectClassDefinition(name = "CPNS PN GW credential module (PKCS#11)",
            description = "The PKCS#11 token that holds this PN GW's EUKey (TS 5.3.3.2 condition 2)")
    public @interface Config {
        @AttributeDefinition(description = "PKCS#11 library of the token (Debian softhsm2: /usr/lib/softhsm/libsofthsm2.so)")
        String library() default "/usr/lib/softhsm/libsofthsm2.so";

        @AttributeDefinition(description = "PKCS#11 slot ID of the token (softhsm2-util --show-slots); -1: the slotListIndex-th slot "
                + "with a token")
        long slot() default -1;

        @AttributeDefinition(description = "With slot=-1: which slot with a token, counted from 0")
        int slotListIndex() default 0;

        @AttributeDefinition(description = "Label of the EUKey's object in the token (created there when the EUKey is assigned or "
                + "moved in from the keystore)")
        String keyLabel() default "cpns-euk";

        @AttributeDefinition(description = "File holding the token's user PIN, owner-only (chmod 600); empty: ${cpns.data}/pkcs11.pin. "
                + "The PIN is never a configuration value")
        String pinFile() default "";
    }

    private final Token token;
    private final String description;
    private volatile String fingerprint;

    @Activate
    public Pkcs11CredentialModule(Config config, BundleContext context,
                                  @Reference(name = "log", service = LoggerFactory.class) Logger log) {
        this(config, io.cpns.api.DataDirectory.of(context::getProperty), log);
    }

    Pkcs11CredentialModule(Config config, Path data, Logger log) {
        Path pinFile = config.pinFile().isBlank() ? data.resolve("pkcs11.pin") : Path.of(config.pinFile());
        String slot = config.slot() >= 0 ? "slot " + config.slot() : "slot #" + config.slotListIndex();
        this.description = "PKCS#11 " + config.library() + " " + slot + ", key '" + config.keyLabel() + "'";
        char[] pin = null;
        try {
            pin = PinFile.read(pinFile);
            this.token = Token.open(config.library(), config.slot(), config.slotListIndex(), config.keyLabel(), pin);
        } catch (CpnsException e) {
            log.error("credential module {} not available, this PN GW keeps its EUKey in the keystore and the TS 5.3.3.2 exemption "
                    + "does not apply: {}", description, e.getMessage());
            throw e;
        } finally {
            if (pin != null) {
                Arrays.fill(pin, '\0');
            }
        }
        log.info("credential module {}: {}", description, token.holdsKey() ? "holds the EUKey"
                : "no EUKey yet (moved in from the keystore, or stored at gw:assign)");
    }

    @Deactivate
    void deactivate() {
        token.close();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean holdsKey() {
        return token.holdsKey();
    }

    @Override
    public void importKey(byte[] euKey) {
        token.importKey(euKey);
        fingerprint = null;
    }

    @Override
    public byte[] hkdfExtract(byte[] salt) {
        return token.hkdfExtract(salt);
    }

    @Override
    public byte[] unwrap(byte[] wrapped) {
        return token.unwrap(wrapped);
    }

    @Override
    public <T> T withKey(KeyUse<T> use) throws IOException {
        return token.withKey(use);
    }

    @Override
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            if (!token.holdsKey()) {
                return "";
            }
            try {
                f = token.withKey(Suites::fingerprint);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            fingerprint = f;
        }
        return f;
    }
}
