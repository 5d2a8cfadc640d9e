package io.cpns.gw.update;

import java.time.Duration;

/** The agent's configuration (PID {@code cpns.gw.update}), checked once per (re)configuration. */
record Settings(Duration trial, Downloader.Settings download, RestartClass restartClass, String operatorCaFile, Duration statusRetry) {
    static Settings from(UpdateConfig c) {
        if (c.trialSeconds() < 1 || c.downloadAttempts() < 1 || c.readTimeoutSeconds() < 1 || c.connectTimeoutSeconds() < 1
                || c.downloadMinutes() < 1 || c.retryInitialMillis() < 1 || c.retryMaxMillis() < c.retryInitialMillis()
                || c.reserveMegabytes() < 0 || c.statusRetrySeconds() < 1) {
            throw new IllegalArgumentException("cpns.gw.update: every duration and count must be at least 1 (retryMaxMillis at least"
                    + " retryInitialMillis, reserveMegabytes at least 0)");
        }
        return new Settings(Duration.ofSeconds(c.trialSeconds()),
                new Downloader.Settings(Duration.ofSeconds(c.connectTimeoutSeconds()), Duration.ofSeconds(c.readTimeoutSeconds()),
                        c.downloadAttempts(), Duration.ofMillis(c.retryInitialMillis()), Duration.ofMillis(c.retryMaxMillis()),
                        Duration.ofMinutes(c.downloadMinutes()), (long) c.reserveMegabytes() << 20),
                new RestartClass(c.restartBundles()), c.operatorCaFile().trim(), Duration.ofSeconds(c.statusRetrySeconds()));
    }
}
