package org.lafsfs.core.dirnode;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.fec.Zfec;
import org.lafsfs.core.immutable.ShareLayout;
import org.lafsfs.core.immutable.UriExtension;

/**
 * The immutable directories a real Tahoe-LAFS 1.20 grid wrote (testdata/tahoe-1.20):
 * their packed contents, recovered from the cap (DIR2-LIT) or from the shares on
 * the interop servers (DIR2-CHK), and Tahoe's own listing of them.
 */
final class TahoeDirectories {
    private TahoeDirectories() {
    }

    static DirectoryCap cap(String objectName) {
        return (DirectoryCap) Cap.parse(Interop.object(objectName).get("readcap").asText());
    }

    /** The plaintext of an immutable directory: the bytes Tahoe's pack_children produced. */
    static byte[] contents(String objectName) throws Exception {
        Cap file = cap(objectName).fileCap();
        if (file instanceof LiteralCap literal) {
            return literal.data();
        }
        return chkPlaintext(Interop.object(objectName), (ChkCap) file);
    }

    /** Tahoe's {@code t=json} listing of the directory's children ({@code name -> [type, {...}]}). */
    static JsonNode listing(String objectName) {
        JsonNode object = Interop.object(objectName);
        return Interop.json(object.get("t_json_file").asText()).get(1).get("children");
    }

    /**
     * Decodes a CHK file from the first k shares on the interop servers: the URI
     * extension block is checked against the cap and the crypttext against the
     * block's crypttext hash; the hash trees are ImmutableShareInteropTest's business.
     */
    private static byte[] chkPlaintext(JsonNode object, ChkCap cap) throws Exception {
        int k = cap.neededShares();
        int[] shareNumbers = new int[k];
        byte[][] shares = new byte[k][];
        ShareLayout[] layouts = new ShareLayout[k];
        UriExtension ueb = null;
        for (int i = 0; i < k; i++) {
            shareNumbers[i] = i;
            shares[i] = Interop.immutableShareData(Interop.shareFile(object, Interop.holder(object, i), i));
            layouts[i] = ShareLayout.parse(shares[i]);
            byte[] uebBytes = layouts[i].uriExtension(shares[i]);
            if (!Arrays.equals(Hashes.uriExtensionHash(uebBytes), cap.uriExtensionHash())) {
                throw new IllegalStateException("share " + i + " does not belong to " + cap.uri());
            }
            ueb = UriExtension.parse(uebBytes);
        }
        long segmentSize = ueb.segmentSize();
        int segments = (int) ueb.numSegments();
        long tailCodedSize = Long.parseLong(ueb.text("tail_codec_params").split("-")[0]);
        long tailSize = cap.size() - (segments - 1) * segmentSize;
        Zfec fec = new Zfec(k, cap.totalShares());
        ByteArrayOutputStream crypttext = new ByteArrayOutputStream();
        for (int seg = 0; seg < segments; seg++) {
            boolean tail = seg == segments - 1;
            int blockSize = (int) ((tail ? tailCodedSize : segmentSize) / k);
            byte[][] blocks = new byte[k][];
            for (int i = 0; i < k; i++) {
                blocks[i] = layouts[i].block(shares[i], seg, blockSize, segmentSize / k);
            }
            ByteArrayOutputStream segment = new ByteArrayOutputStream();
            for (byte[] primary : fec.decode(blocks, shareNumbers)) {
                segment.writeBytes(primary);
            }
            crypttext.write(segment.toByteArray(), 0, (int) (tail ? tailSize : segmentSize));
        }
        byte[] whole = crypttext.toByteArray();
        if (!Arrays.equals(Hashes.crypttextHasher().update(whole).digest(), ueb.crypttextHash())) {
            throw new IllegalStateException("decoded crypttext of " + cap.uri() + " does not match its hash");
        }
        return AesCtr.crypt(cap.key(), whole);
    }
}
