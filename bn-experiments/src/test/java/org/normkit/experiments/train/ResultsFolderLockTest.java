package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFolderLockTest {
    @TempDir
    Path dir;

    @Nested
    class WhileHeld {

        @Test
        void aSecondLockIsRefusedNamingProcessHostAndStartTime() {
            try (ResultsFolderLock first = ResultsFolderLock.acquire(dir, false, notice -> { })) {
                var e = assertThrows(ResultsFolderLock.FolderLockedException.class,
                        () -> ResultsFolderLock.acquire(dir, false, notice -> { }));

                assertTrue(e.getMessage().matches("another normkit run is writing to .* \\(process \\d+ on host .+, "
                        + "since \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z\\); wait for it with --wait, or choose another --out"),
                        e.getMessage());
            }
        }

        @Test
        void withWaitTheSecondLockIsTakenOnceTheFirstIsReleased() throws Exception {
            List<String> notices = new ArrayList<>();
            ResultsFolderLock first = ResultsFolderLock.acquire(dir, false, notice -> { });
            CompletableFuture<ResultsFolderLock> second = CompletableFuture.supplyAsync(
                    () -> ResultsFolderLock.acquire(dir, true, notices::add));
            Thread.sleep(300);
            assertTrue(!second.isDone(), "the second waits while the first holds the lock");

            first.close();

            second.get(10, TimeUnit.SECONDS).close();
            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).startsWith("waiting: another normkit run is writing to"), notices.get(0));
        }
    }

    @Nested
    class AfterARunEnds {

        @Test
        void aReleasedLockIsTakenWithoutAWord() {
            ResultsFolderLock.acquire(dir, false, notice -> { }).close();
            List<String> notices = new ArrayList<>();

            ResultsFolderLock.acquire(dir, false, notices::add).close();

            assertEquals(List.of(), notices);
        }

        @Test
        void theLockFileOfAKilledRunIsTakenOverNamingItsHolder() throws IOException {
            // What SIGKILL leaves: the holder's text in the file, and no operating-system lock on it.
            Files.writeString(dir.resolve(ResultsFolderLock.FILE_NAME),
                    "process 999999 on host elsewhere, since 2026-01-01T00:00:00Z\n");
            List<String> notices = new ArrayList<>();

            ResultsFolderLock.acquire(dir, false, notices::add).close();

            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).contains("stopped without releasing it (process 999999 on host elsewhere, since "
                    + "2026-01-01T00:00:00Z); taking the lock over"), notices.get(0));
        }
    }
}
