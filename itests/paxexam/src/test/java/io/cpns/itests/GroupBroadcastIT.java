package io.cpns.itests;

import java.util.Map;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** Broadcast Group Key delivery over the embedded broker (the zero-install default). */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GroupBroadcastIT extends AbstractGroupBroadcastIT {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("broadcast", broadcastConfigs(Map.of("port", AbstractSliceIT.freePort())),
                "runtime", "core", "server", "mqtt", "gateway", "pne");
    }
}
