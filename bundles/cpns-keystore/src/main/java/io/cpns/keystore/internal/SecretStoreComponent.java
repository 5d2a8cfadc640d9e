package io.cpns.keystore.internal;

import io.cpns.api.store.SecretStore;
import io.cpns.keystore.EncryptedFileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The {@link SecretStore} service of this runtime. Kept in its own bundle: updating its users keeps the keys. */
@Component(configurationPid = "cpns.keystore", service = SecretStore.class, immediate = true)
@Designate(ocd = SecretStoreComponent.Config.class)
public class SecretStoreComponent implements SecretStore {
    @ObjectClassDefinition(name = "CPNS secret store",
            description = "Where EUKey, LocalEUKeys and Group Keys are kept, encrypted at rest.")
    public @interface Config {
        @AttributeDefinition(description = "Directory of the encrypted secret files; empty = ${cpns.data}/keystore")
        String directory() default "";

        @AttributeDefinition(description = "File holding the 32-byte master key; empty = <directory>/master.key. "
                + "Put it on storage the platform protects (secure element, encrypted partition).")
        String masterKeyFile() default "";
    }

    @Reference(service = LoggerFactory.class)
    private Logger log;

    private EncryptedFileStore store;

    @Activate
    void activate(Config config, BundleContext context) throws IOException {
        Path dir = config.directory().isBlank() ? DataDir.of(context).resolve("keystore") : Path.of(config.directory());
        Path master = config.masterKeyFile().isBlank() ? dir.resolve("master.key") : Path.of(config.masterKeyFile());
        store = new EncryptedFileStore(dir, master);
        log.info("secret store at {} ({} secrets)", dir.toAbsolutePath(), store.aliases("").size());
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
}
