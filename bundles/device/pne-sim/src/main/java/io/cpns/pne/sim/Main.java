package io.cpns.pne.sim;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/cpns-pne-sim}: N simulated PNEs in one process against a PN GW, for demos, tests and load. */
@Command(name = "cpns-pne-sim", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Runs simulated PNEs (the PNE SDK) against a PN GW: CPNS Entity Discovery, EUKey assignment through",
            "the gateway, PN Establishment, then stays connected or reports timings. Keys persist under --data."})
public final class Main implements Callable<Integer> {
    /** Who starts PN Establishment. */
    public enum Setup { wait, one_to_one, all }

    @Option(names = {"-n", "--count"}, defaultValue = "10", description = "PNEs on the IP PAN (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--serial", split = ",", paramLabel = "PORT", description = "serial ports, one more PNE on each")
    List<String> serialPorts = List.of();

    @Option(names = "--baud", defaultValue = "115200", description = "serial line speed")
    int baud;

    @Option(names = "--gateway", paramLabel = "HOST:PORT", description = "the PN GW's IP PAN address (default: discovered)")
    String gateway;

    @Option(names = "--gateway-id", description = "the PN GW's Entity ID (default: from discovery)")
    String gatewayId;

    @Option(names = "--discovery", defaultValue = "239.255.77.77:7400", paramLabel = "HOST:PORT",
            description = "where to send the discovery query: the multicast group or the gateway (default ${DEFAULT-VALUE})")
    String discovery;

    @Option(names = "--prefix", defaultValue = "pne-sim", description = "Entity IDs are PREFIX-0001... (default ${DEFAULT-VALUE})")
    String prefix;

    @Option(names = "--no-ui", description = "PNEs without UI: no LocalEUKey; on an insecure PAN they need pre-assigned keys")
    boolean noUi;

    @Option(names = "--secure-pan", description = "the PAN protects messages itself (no PNE-GW session; PNEs with UI still get a LocalEUKey, D22)")
    boolean securePan;

    @Option(names = "--pak-file", description = "pre-assigned keys as 'gw:preassign <pne> <hex>' lines: read if it exists, "
            + "else generated for PNEs without UI and written (run it on the gateway console, then start again)")
    Path pakFile;

    @Option(names = "--user", description = "CPNS User ID for EUKey assignment (PNEs without an EUKey)")
    String user;

    @Option(names = "--password-env", defaultValue = "CPNS_PASSWORD", description = "environment variable with the password")
    String passwordEnv;

    @Option(names = "--operator-ca", description = "operator CA certificate (PEM): authenticates the Server for EUKey assignment")
    Path operatorCa;

    @Option(names = "--server-id", defaultValue = "cpns-server", description = "the CPNS Server's Entity ID")
    String serverId;

    @Option(names = "--server-name", defaultValue = "localhost", description = "name in the Server's certificate")
    String serverName;

    @Option(names = "--setup", defaultValue = "wait", description = "wait (for the gateway to invite), one_to_one (each PNE "
            + "its own PN), all (the first PNE invites every connected PNE); default ${DEFAULT-VALUE}")
    Setup setup;

    @Option(names = "--expect", defaultValue = "-1", description = "with --setup wait: stop waiting when this many PNEs joined "
            + "(default: all of them)")
    int expect;

    @Option(names = "--parallel", defaultValue = "16", description = "PNEs connecting and enrolling at once")
    int parallel;

    @Option(names = "--timeout", defaultValue = "900", description = "give up after this many seconds")
    int timeoutSeconds;

    @Option(names = "--stay", description = "stay connected after the report, until stopped (Ctrl-C)")
    boolean stay;

    @Option(names = "--broadcast", description = "receive Group Keys by MQTT broadcast (Device Capability groupKeyDelivery=broadcast)")
    boolean broadcast;

    @Option(names = "--control", description = "answer 'await <group> <epoch> <t0 µs> <members>' on standard input with the "
            + "Group Key arrival times (the load harness's rekey measurement)")
    boolean control;

    @Option(names = "--data", defaultValue = "data/pne-sim", description = "key stores of the PNEs (default ${DEFAULT-VALUE})")
    Path data;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return new Fleet(this).run();
    }
}
