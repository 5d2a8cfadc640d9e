/** The PNE simulator behind {@code bin/cpns-pne-sim} (private: a tool, not an API). */
package io.cpns.pne.sim;
