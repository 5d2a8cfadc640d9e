package io.cpns.api.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.cpns.api.EntityId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway key store's aliases are its on-disk format: pinned here, so a rename fails a test, not an upgrade. */
class KeyStoreAliasesTest {
    private static final List<String> PREFIXES = List.of(KeyStoreAliases.EUKEY, KeyStoreAliases.LOCAL_EUKEY,
            KeyStoreAliases.LOCAL_EUKEY_PENDING, KeyStoreAliases.PRE_ASSIGNED, KeyStoreAliases.PN_INVENTORY,
            KeyStoreAliases.PN_REGISTRATION, KeyStoreAliases.PN_EXPEL, KeyStoreAliases.PN_WITHDRAWAL, KeyStoreAliases.GROUP_KEY,
            KeyStoreAliases.GROUP_TREE, KeyStoreAliases.GROUP_OWED, KeyStoreAliases.MANAGED_GROUP_KEY);

    @Test
    void theOnDiskNamesAreThoseOfEarlierReleases() {
        assertEquals(List.of("euk.", "lek.", "lekp.", "pak.", "pn.", "pnreg.", "pnrm.", "pnwd.", "gk.", "gt.", "gko.", "gkm."), PREFIXES);
        assertEquals("gwb.signer", KeyStoreAliases.BROADCAST_SIGNER);
        assertEquals("gwb.broker", KeyStoreAliases.BROADCAST_BROKER);
        assertEquals("euk.gw-1", KeyStoreAliases.euKey(EntityId.of("gw-1")));
        assertEquals("lek.pne-tv", KeyStoreAliases.localEuKey("pne-tv"));
        assertEquals("pak.pne-tv", KeyStoreAliases.preAssigned("pne-tv"));
    }

    /** {@code aliases(prefix)} lists one kind only: no prefix starts another one's aliases. */
    @Test
    void noPrefixIsThePrefixOfAnother() {
        for (String a : PREFIXES) {
            for (String b : PREFIXES) {
                assertFalse(!a.equals(b) && b.startsWith(a), a + " would list " + b + " aliases too");
            }
            assertFalse(KeyStoreAliases.BROADCAST_SIGNER.startsWith(a) || KeyStoreAliases.BROADCAST_BROKER.startsWith(a), a);
        }
    }
}
