package io.cpns.keystore.internal;

import io.cpns.api.store.SecretStore;
import io.cpns.keystore.EncryptedFileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The {@link SecretStore} service of this runtime. Kept in its own bundle: updating its users keeps the keys. */
@Component(configurationPid = SecretStoreComponent.PID, service = SecretStore.class, immediate = true)
@Designate(ocd = SecretStoreComponent.Config.class)
public class SecretStoreComponent implements SecretStore {
    static final String PID = "cpns.keystore";

    @ObjectClassDefinition(name = "CPNS secret store",
            description = "Where EUKey, LocalEUKeys and Group Keys are kept, encrypted at rest.")
    public @interface Config {
        @AttributeDefinition(description = "Directory of the encrypted secret files; empty = ${cpns.data}/keystore")
        String directory() default "";

        @AttributeDefinition(description = "File holding the 32-byte master key; empty = <directory>/master.key. "
                + "Put it on storage the platform protects (secure element, encrypted partition).")
        String masterKeyFile() default "";

        @AttributeDefinition(description = "Start over when the master key is missing but secrets remain: they move to "
                + "<directory>/quarantine and a new master key is created (the device must then be enrolled again). "
                + "Without it the store refuses to start. Removed from the configuration once used.")
        boolean initialise() default false;
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL)
    private volatile ConfigurationAdmin configAdmin;

    private EncryptedFileStore store;

    @Activate
    void activate(Config config, BundleContext context) throws IOException {
        Path dir = config.directory().isBlank() ? DataDir.of(context).resolve("keystore") : Path.of(config.directory());
        Path master = config.masterKeyFile().isBlank() ? dir.resolve("master.key") : Path.of(config.masterKeyFile());
        try {
            store = new EncryptedFileStore(dir, master, config.initialise());
        } catch (IOException e) {
            log.error("secret store at {} not opened: {}", dir.toAbsolutePath(), e.getMessage());
            throw e;
        }
        int leftovers = store.removeLeftovers();
        if (!store.initialised().isEmpty()) {
            log.warn("secret store at {} initialised (initialise=true): master key {} was missing; {} secret(s) sealed under it "
                    + "moved to {}", dir.toAbsolutePath(), master, store.initialised().size(), store.quarantineDirectory());
        }
        if (config.initialise()) {
            forgetInitialise(); // one recovery, not a standing order to replace the next lost key quietly
        }
        log.info("secret store at {} ({} secrets{})", dir.toAbsolutePath(), store.aliases("").size(),
                leftovers == 0 ? "" : ", " + leftovers + " unfinished write(s) of a crash removed");
    }

    private void forgetInitialise() {
        ConfigurationAdmin ca = configAdmin;
        if (ca == null) {
            log.warn("cpns.keystore initialise=true stays set (no Config Admin): remove it by hand");
            return;
        }
        try {
            Configuration cfg = ca.getConfiguration(PID, "?");
            Dictionary<String, Object> props = cfg.getProperties();
            if (props != null && props.get("initialise") != null) {
                props.remove("initialise");
                cfg.update(props);
            }
        } catch (IOException e) {
            log.warn("could not remove initialise from configuration cpns.keystore: {}", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        store.close();
    }

    @Override
    public Optional<byte[]> get(String alias) {
        return store.get(alias);
    }

    @Override
    public void put(String alias, byte[] secret) {
        store.put(alias, secret);
    }

    @Override
    public boolean delete(String alias) {
        return store.delete(alias);
    }

    @Override
    public Set<String> aliases(String prefix) {
        return store.aliases(prefix);
    }

    @Override
    public Optional<String> quarantine(String alias) {
        Optional<String> where = store.quarantine(alias);
        where.ifPresent(w -> log.info("secret {} set aside in {}", alias, w));
        return where;
    }
}
