/** The operator's release tool behind {@code bin/cpns-release} (private: a tool, not an API). */
package io.cpns.release.tool;
