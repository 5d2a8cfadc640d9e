package io.cpns.itests;

import java.util.Map;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The slice with the Server on its default embedded H2 database. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SliceH2IT extends AbstractSliceIT {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("slice-h2", configs(Map.of()), "runtime", "core", "server", "gateway");
    }
}
