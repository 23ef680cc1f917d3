package org.normkit.experiments.data;

import java.nio.file.Path;

/**
 * The content of an IDX image file: {@code count} images of {@code height × width} unsigned bytes, stored row-major
 * one image after the other, exactly as the file holds them.
 *
 * <p>The pixel array is handed over, not copied: the reader that made it keeps no reference, and the
 * {@link Dataset} made from it copies what it keeps (scaled floats, or the bytes out of the heap). Pixels are
 * unsigned, so read them as {@code pixels[i] & 0xFF}.
 *
 * @param source the file the images were read from, for messages
 * @param count  number of images (the first IDX dimension)
 * @param height rows per image (the second IDX dimension)
 * @param width  columns per image (the third IDX dimension)
 * @param pixels {@code count × height × width} unsigned bytes
 */
public record IdxImages(Path source, int count, int height, int width, byte[] pixels) {

    public IdxImages {
        if ((long) count * height * width != pixels.length) {
            throw new IllegalArgumentException("IDX images from " + source + ": " + count + "×" + height + "×"
                    + width + " does not match " + pixels.length + " pixel bytes");
        }
    }

    /** Pixels per image, {@code height × width}. */
    public int pixelsPerImage() {
        return height * width;
    }
}
