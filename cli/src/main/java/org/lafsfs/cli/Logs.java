package org.lafsfs.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Where a long-running lafsfs logs: everything from INFO up to
 * NODEDIR/logs/lafsfs.log, and on the terminal only warnings (logback.xml's
 * console appender), or everything with {@code --verbose}.
 */
final class Logs {
    private Logs() {
    }

    /** Starts logging to the node directory; returns the log file. */
    static Path toNodeDirectory(Path nodeDir, boolean verbose) throws IOException {
        Path logs = nodeDir.resolve("logs");
        org.lafsfs.storage.ServerIdentity.createPrivateDirectory(logs);
        Path file = logs.resolve("lafsfs.log");
        // Owner-only whatever made the directory (Tahoe's own logs/ is 0755): the log names files and servers.
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // nothing to tighten
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> console = root.getAppender("STDERR");
        if (console != null) {
            ThresholdFilter threshold = new ThresholdFilter();
            threshold.setLevel(verbose ? "DEBUG" : "WARN");
            threshold.start();
            console.addFilter(threshold);
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0}: %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("NODEDIR");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        root.addAppender(appender);
        root.setLevel(verbose ? Level.DEBUG : Level.INFO);
        // MINA warns of every client that hangs up without saying goodbye: routine for SFTP clients.
        context.getLogger("org.apache.sshd").setLevel(verbose ? Level.INFO : Level.ERROR);
        return file;
    }
}
