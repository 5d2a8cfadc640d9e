package io.cpns.lib.logback;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.util.Iterator;

/**
 * Hands every event to the appenders nested in it, first giving it this Logback's context.
 * Apache Felix Logback 1.0.6 (its newest release) builds the events of OSGi Log Service entries
 * for Logback 1.2, without a {@link LoggerContext}; Logback 1.3 and later read the MDC through it
 * as an appender prepares the event, and throw a NullPointerException: no OSGi entry would reach
 * any appender. In logback.xml the root logger refers to this appender only, the console and file
 * appenders nested inside it. Called on the logging thread (Felix Log's listener thread for OSGi
 * entries); does not block but for what the nested appenders do.
 */
public final class OsgiEntryAppender extends UnsynchronizedAppenderBase<ILoggingEvent> implements AppenderAttachable<ILoggingEvent> {
    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();

    @Override
    protected void append(ILoggingEvent event) {
        if (event instanceof LoggingEvent e && getContext() instanceof LoggerContext logback) {
            e.setLoggerContext(logback); // the same context for events Logback made itself
        }
        appenders.appendLoopOnAppenders(event);
    }

    @Override
    public void stop() {
        super.stop();
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
