package org.normkit.experiments.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The lock of a results folder: while a run writes to a folder it holds {@value #FILE_NAME} there, so a second run
 * into the same folder refuses (or waits) instead of overwriting the first one's rows.
 *
 * <p>The lock is an operating-system lock ({@link FileChannel#tryLock()}) on that file, which the system releases
 * when the holding process ends, however it ends: a run killed with SIGKILL leaves the file behind, but not the lock,
 * and the next run takes it over (saying so, because the file still names the killed holder). The file's text names the holder, process id, host and start time,
 * for the messages; it is never trusted to decide whether the lock is held. Within one JVM a second lock on the same
 * folder is refused the same way.
 *
 * <p>Limits: operating-system locks on network file systems are only as good as the file system's lock support.
 */
public final class ResultsFolderLock implements AutoCloseable {

    /** The lock file's name inside the results folder. */
    public static final String FILE_NAME = ".normkit.lock";
    private static final Duration POLL = Duration.ofMillis(500);

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private ResultsFolderLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code folder} (creating the folder if needed). When another live run holds it: with
     * {@code wait}, tells {@code notices} once and waits until it is free; without, throws
     * {@link FolderLockedException} naming the holder. A lock file left by a run that was killed is taken over, and
     * {@code notices} is told whose it was.
     */
    public static ResultsFolderLock acquire(Path folder, boolean wait, Consumer<String> notices) {
        Path file = folder.resolve(FILE_NAME);
        boolean announced = false;
        while (true) {
            try {
                Files.createDirectories(folder);
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    String earlier = holderOf(channel);
                    if (!earlier.isBlank()) {
                        notices.accept("warning: " + folder + " was locked by a run that stopped without releasing it ("
                                + earlier + "); taking the lock over and resuming from its results");
                    }
                    writeHolder(channel);
                    return new ResultsFolderLock(file, channel, lock);
                }
                String holder = holderOf(channel);
                channel.close();
                if (!wait) {
                    throw new FolderLockedException("another normkit run is writing to " + folder + " ("
                            + (holder.isBlank() ? "holder unknown" : holder) + "); wait for it with --wait, or "
                            + "choose another --out");
                }
                if (!announced) {
                    notices.accept("waiting: another normkit run is writing to " + folder + " (" + holder + "); "
                            + "this run starts when it ends");
                    announced = true;
                }
                Thread.sleep(POLL.toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock results folder " + folder + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FolderLockedException("interrupted while waiting for the lock of " + folder);
            }
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static String holderOf(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    }

    private static void writeHolder(FileChannel channel) throws IOException {
        String text = "process " + ProcessHandle.current().pid() + " on host " + hostName() + ", since "
                + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    /**
     * Empties the file and releases the lock. The empty file stays: deleting it would let a run that opened it just
     * before lock a file no longer in the folder, while a third run locks a new one.
     */
    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock " + file + ": " + e.getMessage(), e);
        }
    }

    /** Thrown when another run holds the folder's lock. */
    public static final class FolderLockedException extends RuntimeException {
        FolderLockedException(String message) {
            super(message);
        }
    }
}
