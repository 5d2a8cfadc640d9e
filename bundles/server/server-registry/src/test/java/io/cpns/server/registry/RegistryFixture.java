package io.cpns.server.registry;

import io.cpns.api.store.SecretStore;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** Real components on a real (in-memory H2) database and a real encrypted file store. */
final class RegistryFixture implements AutoCloseable {
    final TestLogger log = new TestLogger("server-registry");
    final OpenStore store;
    final SecretStore secrets;
    final UserRegistryComponent users;
    final EntityRegistryComponent entities;

    RegistryFixture(Path dir) throws Exception {
        store = JdbcStores.open("jdbc:h2:mem:r" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        // small Argon2 parameters keep unit tests fast; the defaults are checked in PasswordHasherTest
        users = new UserRegistryComponent(store, log.logger(), Configs.of(UserRegistryComponent.Config.class,
                Map.of("argon2MemoryKiB", 1024, "argon2Iterations", 1)));
        entities = new EntityRegistryComponent(store, secrets, log.logger());
    }

    @Override
    public void close() {
        store.close();
    }
}
