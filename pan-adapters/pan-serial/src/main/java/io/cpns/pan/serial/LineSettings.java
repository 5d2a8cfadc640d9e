package io.cpns.pan.serial;

import io.cpns.pan.spi.PanSecurity;
import java.time.Duration;

/** What every line of the adapter shares. */
record LineSettings(int baudRate, PanSecurity security, int maxFrameBytes, Duration idleTimeout, Duration reopenDelay) {
}
