package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The one word for a face: its names, the three ways the command line parses it, and scopes that nest. */
class FaceTest {

    @Nested
    class Scopes {
        @Test
        void outsideEveryScopeTheScopedFaceIsAuto() {
            assertEquals(Face.AUTO, Face.scoped());
        }

        @Test
        void scopesNestAndClosingOneRestoresTheEnclosingFace() {
            try (Face.Scope outer = Face.scope(Face.FUSED)) {
                assertEquals(Face.FUSED, Face.scoped());
                try (Face.Scope inner = Face.scope(Face.REFERENCE)) {
                    assertEquals(Face.REFERENCE, Face.scoped());
                }
                assertEquals(Face.FUSED, Face.scoped());
            }
            assertEquals(Face.AUTO, Face.scoped());
        }

        @Test
        void aScopeHoldsOnlyOnItsOwnThread() throws InterruptedException {
            AtomicReference<Face> seenElsewhere = new AtomicReference<>();
            try (Face.Scope scope = Face.scope(Face.REFERENCE)) {
                Thread other = new Thread(() -> seenElsewhere.set(Face.scoped()));
                other.start();
                other.join();
            }
            assertEquals(Face.AUTO, seenElsewhere.get());
        }
    }

    @Nested
    class Names {
        @Test
        void idAndToStringAreTheLowerCaseName() {
            assertEquals("reference", Face.REFERENCE.id());
            assertEquals("fused", Face.FUSED.toString());
            assertEquals("auto", Face.AUTO.toString());
        }

        @Test
        void bothIsReferenceThenFused() {
            assertEquals(List.of(Face.REFERENCE, Face.FUSED), Face.BOTH);
        }
    }

    @Nested
    class Parsing {
        @Test
        void parseTakesAnyCaseAndSurroundingBlanks() {
            assertEquals(Face.FUSED, Face.parse(" Fused "));
            assertEquals(Face.AUTO, Face.parse("AUTO"));
            assertEquals(Face.REFERENCE, Face.parse("reference"));
        }

        @Test
        void parseRefusesAnUnknownFaceListingTheThree() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Face.parse("fast"));
            assertEquals("unknown face 'fast': expected reference, fused or auto", e.getMessage());
        }

        @Test
        void aConcreteFaceIsReferenceOrFused() {
            assertEquals(Face.REFERENCE, Face.parseConcrete(" REFERENCE"));
            assertEquals(Face.FUSED, Face.parseConcrete("fused"));
        }

        @Test
        void aConcreteFaceIsNeitherAutoNorUnknown() {
            IllegalArgumentException auto = assertThrows(IllegalArgumentException.class,
                    () -> Face.parseConcrete(" Auto "));
            assertEquals("unknown face ' Auto ': expected reference or fused", auto.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> Face.parseConcrete("fast"));
            assertEquals("unknown face 'fast': expected reference or fused", unknown.getMessage());
        }

        @Test
        void bothInAnyCaseIsTheTwoFaces() {
            assertEquals(Face.BOTH, Face.parseList(" Both "));
        }

        @Test
        void aListKeepsItsOrderAndDropsRepeats() {
            assertEquals(List.of(Face.FUSED), Face.parseList("fused"));
            assertEquals(List.of(Face.FUSED, Face.REFERENCE), Face.parseList("fused, Reference ,fused"));
        }

        @Test
        void aListRefusesAutoAndUnknownPartsNamingThePart() {
            IllegalArgumentException auto = assertThrows(IllegalArgumentException.class,
                    () -> Face.parseList("reference, auto"));
            assertEquals("unknown face 'auto': expected reference, fused or both", auto.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> Face.parseList("fused,fast"));
            assertEquals("unknown face 'fast': expected reference, fused or both", unknown.getMessage());
        }
    }
}
