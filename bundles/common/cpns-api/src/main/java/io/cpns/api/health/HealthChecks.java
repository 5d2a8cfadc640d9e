package io.cpns.api.health;

/**
 * Names shared by the health services of a CPNS runtime (D116).
 *
 * <p>Each concern (CPNS bundles, their DS components, the Server link, the MQTT broker, the PAN
 * adapters, a store) is a {@link HealthContributor} service with the service properties {@link #NAME}
 * and {@link #TAGS}, the names Apache Felix Health Checks uses ({@code hc.name}, {@code hc.tags}), so the
 * optional {@code cpns-health-hc} bundle shows each of them to Felix's {@code hc:exec} unchanged.
 *
 * <p>Readiness and liveness are OSGi Core R8 condition services ({@code org.osgi.service.condition.Condition},
 * exported by the framework): {@code cpns-health} registers one with {@code osgi.condition.id=}{@link #READY}
 * while the runtime is READY and one with {@link #LIVE} while no liveness check fails, and withdraws each
 * when that stops being true. A consumer waits for the service, e.g. a DS component with
 * {@code osgi.ds.satisfying.condition.target=(osgi.condition.id=cpns.ready)}.
 */
public final class HealthChecks {
    /** Service property: the concern's name, shown in reports ({@code hc.name} of Felix Health Checks). */
    public static final String NAME = "hc.name";
    /** Service property: the concern's tags ({@code hc.tags}); none means {@link #TAG_CPNS} and {@link #TAG_READINESS}. */
    public static final String TAGS = "hc.tags";
    /** Tag of every CPNS health check. */
    public static final String TAG_CPNS = "cpns";
    /** Tag of a check whose problem makes the runtime NOT READY (not able to serve). */
    public static final String TAG_READINESS = "readiness";
    /** Tag of a check whose problem a restart may cure (the runtime is stuck, not just waiting). */
    public static final String TAG_LIVENESS = "liveness";
    /** {@code osgi.condition.id} of the condition service registered while the runtime is READY. */
    public static final String READY = "cpns.ready";
    /** {@code osgi.condition.id} of the condition service registered while no liveness check fails. */
    public static final String LIVE = "cpns.live";
    /**
     * Manifest header the CPNS build adds to each of its bundles: readiness counts a bundle as part of
     * the runtime by this header, never by its symbolic name, so a vendor's bundle that fails does not
     * make the runtime NOT READY (a vendor's PAN adapter counts through the PAN adapter check).
     */
    public static final String PART_HEADER = "CPNS-Part";

    private HealthChecks() {
    }
}
