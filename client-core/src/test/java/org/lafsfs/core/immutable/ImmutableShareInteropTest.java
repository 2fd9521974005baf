package org.lafsfs.core.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.Sha256d;
import org.lafsfs.core.fec.Zfec;
import org.lafsfs.core.hashtree.BadHashException;
import org.lafsfs.core.hashtree.HashTree;
import org.lafsfs.core.hashtree.IncompleteHashTree;

/**
 * The primitives together, on shares a real Tahoe-LAFS 1.20 grid wrote: from
 * three check shares (so that every segment needs real erasure decoding), the
 * URI extension block is checked against the read cap, every block against
 * its share's block hash tree, every block hash tree against the share hash
 * tree, the decoded crypttext against the crypttext hash tree, and the
 * decrypted result against the original plaintext.
 */
class ImmutableShareInteropTest {


    @ParameterizedTest
    @MethodSource("org.lafsfs.core.Interop#chkFileNames")
    void decodesVerifiesAndDecryptsTahoesShares(String name) throws Exception {
        JsonNode object = Interop.object(name);
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        int k = cap.neededShares();
        int n = cap.totalShares();
        int[] chosen = {n - 1, n - 2, n - 3};

        IncompleteHashTree shareTree = new IncompleteHashTree(n);
        UriExtension ueb = null;
        List<byte[]> shares = new ArrayList<>();
        List<ShareLayout> layouts = new ArrayList<>();
        for (int shnum : chosen) {
            byte[] share = Interop.immutableShareData(Interop.shareFile(object, Interop.holder(object, shnum), shnum));
            ShareLayout layout = ShareLayout.parse(share);
            byte[] uebBytes = layout.uriExtension(share);
            assertThat(Hashes.uriExtensionHash(uebBytes)).isEqualTo(cap.uriExtensionHash());
            ueb = UriExtension.parse(uebBytes);
            assertThat(ueb.pack()).isEqualTo(uebBytes);
            if (ueb.numSegments() > 0 && shnum == chosen[0]) {
                shareTree.setRoot(ueb.shareRootHash());
            }
            shares.add(share);
            layouts.add(layout);
        }
        assertThat(ueb.size()).isEqualTo(cap.size());
        assertThat(ueb.neededShares()).isEqualTo(k);

        long segmentSize = ueb.segmentSize();
        int segments = (int) ueb.numSegments();
        long tailCodedSize = Long.parseLong(ueb.text("tail_codec_params").split("-")[0]);
        long tailSize = cap.size() - (segments - 1) * segmentSize;
        long blockSize = segmentSize / k;

        // Each share's blocks hash to its block hash tree, whose root is a leaf of the share hash tree.
        for (int s = 0; s < chosen.length; s++) {
            byte[] share = shares.get(s);
            ShareLayout layout = layouts.get(s);
            List<byte[]> blockHashes = new ArrayList<>();
            for (int seg = 0; seg < segments; seg++) {
                int size = (int) (seg == segments - 1 ? tailCodedSize / k : blockSize);
                blockHashes.add(Hashes.blockHash(layout.block(share, seg, size, blockSize)));
            }
            HashTree blockTree = new HashTree(blockHashes);
            byte[][] stored = layout.blockHashTree(share);
            assertThat(stored.length).isEqualTo(blockTree.size());
            for (int i = 0; i < stored.length; i++) {
                assertThat(stored[i]).isEqualTo(blockTree.node(i));
            }
            shareTree.setHashes(layout.shareHashChain(share), Map.of(chosen[s], blockTree.root()));
        }

        // Decode every segment from the three check shares, then check and decrypt the crypttext.
        Zfec fec = new Zfec(k, n);
        ByteArrayOutputStream crypttext = new ByteArrayOutputStream();
        List<byte[]> segmentHashes = new ArrayList<>();
        for (int seg = 0; seg < segments; seg++) {
            boolean tail = seg == segments - 1;
            int size = (int) ((tail ? tailCodedSize : segmentSize) / k);
            byte[][] blocks = new byte[chosen.length][];
            for (int s = 0; s < chosen.length; s++) {
                blocks[s] = layouts.get(s).block(shares.get(s), seg, size, blockSize);
            }
            byte[][] primary = fec.decode(blocks, chosen);
            ByteArrayOutputStream segment = new ByteArrayOutputStream();
            for (byte[] p : primary) {
                segment.writeBytes(p);
            }
            byte[] segmentCrypttext = Arrays.copyOf(segment.toByteArray(), (int) (tail ? tailSize : segmentSize));
            segmentHashes.add(Hashes.crypttextSegmentHash(segmentCrypttext));
            crypttext.writeBytes(segmentCrypttext);
        }
        assertThat(new HashTree(segmentHashes).root()).isEqualTo(ueb.crypttextRootHash());
        assertThat(layouts.get(0).crypttextHashTree(shares.get(0))[0]).isEqualTo(ueb.crypttextRootHash());
        byte[] whole = crypttext.toByteArray();
        Sha256d flat = Hashes.crypttextHasher().update(whole);
        assertThat(flat.digest()).isEqualTo(ueb.crypttextHash());
        assertThat(AesCtr.crypt(cap.key(), whole)).isEqualTo(Interop.plaintext(object));
    }

    @Test
    void aCorruptBlockIsCaughtByTheShareHashTree() throws Exception {
        JsonNode object = Interop.object("imm-0001000");
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        byte[] share = Interop.immutableShareData(Interop.shareFile(object, Interop.holder(object, 5), 5));
        ShareLayout layout = ShareLayout.parse(share);
        UriExtension ueb = UriExtension.parse(layout.uriExtension(share));
        int blockSize = (int) (ueb.segmentSize() / cap.neededShares());
        byte[] block = layout.block(share, 0, blockSize, blockSize);
        block[10] ^= 0x40;
        IncompleteHashTree shareTree = new IncompleteHashTree(cap.totalShares());
        shareTree.setRoot(ueb.shareRootHash());
        byte[] leaf = new HashTree(List.of(Hashes.blockHash(block))).root();
        assertThatThrownBy(() -> shareTree.setHashes(layout.shareHashChain(share), Map.of(5, leaf)))
                .isInstanceOf(BadHashException.class);
    }

    @Test
    void headersWithUnknownVersionsOrBrokenOffsetsAreRefused() throws Exception {
        JsonNode object = Interop.object("imm-0001000");
        byte[] share = Interop.immutableShareData(Interop.shareFile(object, Interop.holder(object, 0), 0));
        assertThat(ShareLayout.parse(share).version()).isEqualTo(1);
        byte[] v9 = share.clone();
        v9[3] = 9;
        assertThatThrownBy(() -> ShareLayout.parse(v9)).hasMessageContaining("version 9");
        byte[] swapped = share.clone();
        System.arraycopy(share, 0x1c, swapped, 0x18, 4);
        System.arraycopy(share, 0x18, swapped, 0x1c, 4);
        assertThatThrownBy(() -> ShareLayout.parse(swapped)).hasMessageContaining("out of order");
        assertThatThrownBy(() -> ShareLayout.parse(Arrays.copyOf(share, 20))).hasMessageContaining("header");
        assertThatThrownBy(() -> ShareLayout.parse(share).uriExtension(Arrays.copyOf(share, 100)))
                .isInstanceOf(LayoutInvalidException.class);
        assertThat(Base32.encode(Hashes.uriExtensionHash(ShareLayout.parse(share).uriExtension(share))))
                .isEqualTo(object.get("readcap").asText().split(":")[3]);
    }
}
