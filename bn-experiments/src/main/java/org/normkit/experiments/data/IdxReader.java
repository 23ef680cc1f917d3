package org.normkit.experiments.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the unsigned-byte IDX files of MNIST and Fashion-MNIST, gzip-compressed or plain.
 *
 * <p>The format (LeCun's MNIST page): a big-endian magic number {@code 0x0000TTDD}, where {@code TT = 0x08} means
 * unsigned bytes and {@code DD} is the number of dimensions, then one big-endian 32-bit size per dimension, then the
 * data. Images are {@code 0x00000803} (count × rows × columns), labels {@code 0x00000801} (count). Compression is
 * detected from the content (the gzip magic {@code 1F 8B}), not from the name, so a file that was unpacked but kept
 * its {@code .gz} name still reads.
 *
 * <p>Every check the header allows is made, because a wrong data file otherwise shows up much later as a net that
 * does not learn: the magic number (with a hint when image and label files look swapped), that every dimension is
 * positive, and that the data is exactly as long as the header says, neither shorter (an interrupted download or
 * copy) nor longer. Each failure is a {@link DatasetException} whose message names the file, the problem and the
 * remedy given to {@link #withRemedy}.
 *
 * <p>Thread safety: instances are immutable and may be shared.
 */
public final class IdxReader {

    /** Magic number of a 3-d unsigned-byte IDX file: images. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of a 1-d unsigned-byte IDX file: labels. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int BUFFER = 1 << 16;

    private final String remedy;

    private IdxReader(String remedy) {
        this.remedy = remedy;
    }

    /** A reader whose error messages end with {@code remedy}, e.g. the command that re-installs the data. */
    public static IdxReader withRemedy(String remedy) {
        if (remedy == null || remedy.isBlank()) {
            throw new IllegalArgumentException("an IDX reader needs a remedy for its error messages, got none");
        }
        return new IdxReader(remedy);
    }

    /** A reader whose error messages suggest copying or downloading the file again. */
    public static IdxReader standard() {
        return new IdxReader("copy or download the file again");
    }

    /** Reads a {@code 0x00000803} file: {@code count × height × width} unsigned-byte images. */
    public IdxImages readImages(Path file) {
        try (InputStream in = open(file)) {
            int[] dims = readHeader(in, file, IMAGES_MAGIC, "images");
            long length = (long) dims[0] * dims[1] * dims[2];
            String described = String.format(Locale.ROOT, "%d×%d×%d = %d bytes of pixels",
                    dims[0], dims[1], dims[2], length);
            byte[] pixels = readBody(in, file, length, described);
            return new IdxImages(file, dims[0], dims[1], dims[2], pixels);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Reads a {@code 0x00000801} file: one unsigned-byte label per row, returned as ints in 0..255. */
    public int[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            int[] dims = readHeader(in, file, LABELS_MAGIC, "labels");
            byte[] bytes = readBody(in, file, dims[0], dims[0] + " bytes of labels");
            int[] labels = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                labels[i] = bytes[i] & 0xFF;
            }
            return labels;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private InputStream open(Path file) throws IOException {
        BufferedInputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + " does not exist; " + remedy, e);
        }
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        if (first == 0x1F && second == 0x8B) {
            try {
                return new GZIPInputStream(in, BUFFER);
            } catch (EOFException e) {
                in.close();
                throw problem(file, "is truncated: the gzip header is incomplete");
            }
        }
        return in;
    }

    private int[] readHeader(InputStream in, Path file, int expectedMagic, String kind) throws IOException {
        byte[] magicBytes = new byte[4];
        int got = readAvailable(in, magicBytes, 4);
        if (got < 4) {
            throw problem(file, "is truncated: it ends after " + got + " bytes, before the 4-byte IDX magic number");
        }
        int magic = bigEndian(magicBytes, 0);
        checkMagic(file, magic, expectedMagic, kind);
        int dimensions = expectedMagic & 0xFF;
        byte[] sizes = new byte[4 * dimensions];
        got = readAvailable(in, sizes, sizes.length);
        if (got < sizes.length) {
            throw problem(file, "is truncated: the header should hold " + dimensions + " sizes of 4 bytes after the "
                    + "magic number, found " + got + " bytes");
        }
        int[] dims = new int[dimensions];
        for (int d = 0; d < dimensions; d++) {
            dims[d] = bigEndian(sizes, 4 * d);
            if (dims[d] <= 0) {
                throw problem(file, "has an unusable header: dimension " + (d + 1) + " of " + dimensions
                        + " is " + dims[d] + ", every dimension must be at least 1");
            }
        }
        return dims;
    }

    private void checkMagic(Path file, int magic, int expected, String kind) {
        if (magic == expected) {
            return;
        }
        String found = hex(magic);
        String wanted = hex(expected) + " (" + kind + ": unsigned bytes, " + (expected & 0xFF) + "-d)";
        if ((magic >>> 16) != 0) {
            throw problem(file, "is not an IDX file: its magic number is " + found + ", expected " + wanted);
        }
        if (((magic >>> 8) & 0xFF) != UNSIGNED_BYTE) {
            throw problem(file, "holds IDX data of type " + String.format(Locale.ROOT, "0x%02X", (magic >>> 8) & 0xFF)
                    + ", not unsigned bytes: its magic number is " + found + ", expected " + wanted);
        }
        String swapped = (magic == IMAGES_MAGIC || magic == LABELS_MAGIC)
                ? " (it looks like an " + (magic == IMAGES_MAGIC ? "image" : "label")
                        + " file: are the image and label files swapped?)"
                : "";
        throw problem(file, "has " + (magic & 0xFF) + " dimensions where " + (expected & 0xFF)
                + " were expected: its magic number is " + found + ", expected " + wanted + swapped);
    }

    private byte[] readBody(InputStream in, Path file, long length, String described) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw problem(file, "is too large to read: header says " + described + ", more than one Java array holds");
        }
        byte[] body = new byte[(int) length];
        int got = readAvailable(in, body, body.length);
        if (got < body.length) {
            throw problem(file, "is truncated: header says " + described + ", found " + got);
        }
        long extra = countRemaining(in, file);
        if (extra > 0) {
            throw problem(file, "is longer than its header says: header says " + described + ", found "
                    + (length + extra) + " (" + extra + " bytes too many; is it the right file?)");
        }
        return body;
    }

    /**
     * Reads up to {@code length} bytes and returns how many arrived. A truncated gzip stream ends with an
     * {@link EOFException} instead of end-of-stream; both mean "the file stops here".
     */
    private static int readAvailable(InputStream in, byte[] into, int length) throws IOException {
        int got = 0;
        try {
            while (got < length) {
                int n = in.read(into, got, length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (EOFException truncated) {
            // The count so far is what the error message reports.
        }
        return got;
    }

    private long countRemaining(InputStream in, Path file) throws IOException {
        long extra = 0;
        byte[] scratch = new byte[BUFFER];
        try {
            int n;
            while ((n = in.read(scratch)) >= 0) {
                extra += n;
            }
        } catch (EOFException truncated) {
            throw problem(file, "is truncated: " + (extra == 0
                    ? "the data is complete but the gzip stream ends before its checksum trailer"
                    : "the gzip stream breaks off " + extra + " bytes after the data the header describes"));
        }
        return extra;
    }

    private DatasetException unreadable(Path file, IOException e) {
        String what = e instanceof ZipException ? "is not a readable gzip file (" + e.getMessage() + ")"
                : "could not be read (" + e + ")";
        return new DatasetException(file + " " + what + "; " + remedy, e);
    }

    private DatasetException problem(Path file, String problem) {
        return new DatasetException(file + " " + problem + "; " + remedy);
    }

    private static int bigEndian(byte[] bytes, int at) {
        return ((bytes[at] & 0xFF) << 24) | ((bytes[at + 1] & 0xFF) << 16)
                | ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
    }

    private static String hex(int value) {
        return String.format(Locale.ROOT, "0x%08X", value);
    }
}
