/**
 * The PAN adapter SPI: what an integrator implements, in one bundle, to let PNEs reach the PN GW
 * over another kind of Personal Area Network. Register a {@link io.cpns.pan.spi.PanAdapter} as an
 * OSGi service; the gateway starts it, gives it a {@link io.cpns.pan.spi.PanContext}, and receives
 * CPNS frames from its {@link io.cpns.pan.spi.PanConnection}s. Adapters come and go at run time.
 * Guide: docs/adapter-guide.md.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.1")
package io.cpns.pan.spi;
