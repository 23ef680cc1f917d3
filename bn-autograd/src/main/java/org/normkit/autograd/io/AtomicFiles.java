package org.normkit.autograd.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The one way normkit writes a file a user gets: into a temporary file beside the target, flushed to disk, then
 * moved over the target in one step. An interrupted run therefore leaves either the old file or the new one, never a
 * half-written one.
 *
 * <p>Thread safety: calls writing different targets may run concurrently; two calls writing the same target race,
 * and the last move wins.
 */
public final class AtomicFiles {

    /** Writes the bytes that {@code body} produces. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /**
     * Writes {@code target} atomically; parent folders are created. On any failure the temporary file is removed
     * and the target is left as it was.
     */
    public static void write(Path target, Body body) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel))) {
                body.writeTo(out);
                out.flush();
                // A rename is only durable once the data it points to is on disk.
                channel.force(true);
            }
            // createTempFile makes the file private (0600); a user's report should read like any file they make.
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // Not a POSIX file system: keep the platform's defaults.
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + absolute + ": " + e.getMessage()
                    + " (check that the folder exists and is writable)", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed; that error is the one to report.
                }
            }
        }
    }
}
