package org.lafsfs.core.storage;

import com.upokecenter.cbor.CBORException;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CBOR bodies of Tahoe's HTTPS storage protocol, for both sides: each
 * message has one encode and one decode here, so client and server cannot
 * disagree. Sets are CBOR tag 258 (decoding accepts them untagged too), share
 * numbers are integer map keys, and the version message uses byte-string keys,
 * all as Tahoe-LAFS 1.20 sends them.
 */
public final class StorageWire {
    public static final String CBOR = "application/cbor";
    private static final int SET_TAG = 258;
    static final int MAX_VECTORS = 30;
    private static final String V1 = "http://allmydata.org/tahoe/protocols/storage/v1";

    private StorageWire() {
    }

    /** A body that does not have the shape the protocol requires. */
    public static final class MalformedMessage extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MalformedMessage(String message) {
            super(message);
        }
    }

    // ---- version ----

    public static byte[] encodeVersion(ServerVersion v) {
        CBORObject inner = CBORObject.NewOrderedMap();
        inner.Add(bytes("maximum-immutable-share-size"), CBORObject.FromObject(v.maximumImmutableShareSize()));
        inner.Add(bytes("maximum-mutable-share-size"), CBORObject.FromObject(v.maximumMutableShareSize()));
        inner.Add(bytes("available-space"), CBORObject.FromObject(v.availableSpace()));
        CBORObject outer = CBORObject.NewOrderedMap();
        outer.Add(bytes(V1), inner);
        outer.Add(bytes("application-version"), bytes(v.applicationVersion()));
        return outer.EncodeToBytes();
    }

    public static ServerVersion decodeVersion(byte[] body) {
        CBORObject outer = map(decode(body), "version");
        CBORObject inner = map(field(outer, V1), V1);
        CBORObject app = outer.get(bytes("application-version"));
        if (app == null) {
            app = outer.get("application-version");
        }
        return new ServerVersion(number(field(inner, "maximum-immutable-share-size")),
                number(field(inner, "maximum-mutable-share-size")), number(field(inner, "available-space")),
                app == null ? "" : new String(app.getType() == CBORType.ByteString ? app.GetByteString()
                        : app.AsString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    // ---- immutable ----

    public static byte[] encodeAllocateRequest(Set<Integer> shareNumbers, long allocatedSize) {
        CBORObject m = CBORObject.NewOrderedMap();
        m.Add("share-numbers", set(shareNumbers));
        m.Add("allocated-size", allocatedSize);
        return m.EncodeToBytes();
    }

    public record AllocateRequest(Set<Integer> shareNumbers, long allocatedSize) {
    }

    public static AllocateRequest decodeAllocateRequest(byte[] body) {
        CBORObject m = map(decode(body), "allocation request");
        return new AllocateRequest(shareSet(field(m, "share-numbers")), number(field(m, "allocated-size")));
    }

    public static byte[] encodeAllocation(Allocation a) {
        CBORObject m = CBORObject.NewOrderedMap();
        m.Add("already-have", set(a.alreadyHave()));
        m.Add("allocated", set(a.allocated()));
        return m.EncodeToBytes();
    }

    public static Allocation decodeAllocation(byte[] body) {
        CBORObject m = map(decode(body), "allocation");
        return new Allocation(shareSet(field(m, "already-have")), shareSet(field(m, "allocated")));
    }

    public static byte[] encodeRequired(List<UploadProgress.ByteRange> required) {
        CBORObject list = CBORObject.NewArray();
        for (UploadProgress.ByteRange r : required) {
            CBORObject range = CBORObject.NewOrderedMap();
            range.Add("begin", r.begin());
            range.Add("end", r.end());
            list.Add(range);
        }
        CBORObject m = CBORObject.NewOrderedMap();
        m.Add("required", list);
        return m.EncodeToBytes();
    }

    public static List<UploadProgress.ByteRange> decodeRequired(byte[] body) {
        CBORObject list = field(map(decode(body), "upload progress"), "required");
        List<UploadProgress.ByteRange> ranges = new ArrayList<>();
        for (CBORObject r : array(list, "required")) {
            ranges.add(new UploadProgress.ByteRange(number(field(r, "begin")), number(field(r, "end"))));
        }
        return ranges;
    }

    public static byte[] encodeShareSet(Set<Integer> shares) {
        return set(shares).EncodeToBytes();
    }

    public static Set<Integer> decodeShareSet(byte[] body) {
        return shareSet(decode(body));
    }

    public static byte[] encodeCorruption(String reason) {
        CBORObject m = CBORObject.NewOrderedMap();
        m.Add("reason", reason);
        return m.EncodeToBytes();
    }

    public static String decodeCorruption(byte[] body) {
        CBORObject reason = field(map(decode(body), "corruption advice"), "reason");
        if (reason.getType() != CBORType.TextString) {
            throw new MalformedMessage("'reason' must be text");
        }
        String text = reason.AsString();
        if (text.isEmpty() || text.length() > 32765) {
            throw new MalformedMessage("'reason' must be 1 to 32765 characters");
        }
        return text;
    }

    // ---- mutable ----

    public record ReadTestWriteRequest(Map<Integer, TestWriteVectors> testWriteVectors, List<ReadVector> readVector) {
    }

    public static byte[] encodeReadTestWrite(Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
        CBORObject tw = CBORObject.NewOrderedMap();
        for (Map.Entry<Integer, TestWriteVectors> e : vectors.entrySet()) {
            CBORObject tests = CBORObject.NewArray();
            for (TestWriteVectors.Test t : e.getValue().tests()) {
                CBORObject o = CBORObject.NewOrderedMap();
                o.Add("offset", t.offset());
                o.Add("size", t.size());
                o.Add("specimen", CBORObject.FromObject(t.specimen()));
                tests.Add(o);
            }
            CBORObject writes = CBORObject.NewArray();
            for (TestWriteVectors.Write w : e.getValue().writes()) {
                CBORObject o = CBORObject.NewOrderedMap();
                o.Add("offset", w.offset());
                o.Add("data", CBORObject.FromObject(w.data()));
                writes.Add(o);
            }
            CBORObject share = CBORObject.NewOrderedMap();
            share.Add("test", tests);
            share.Add("write", writes);
            share.Add("new-length", e.getValue().newLength() == null ? CBORObject.Null
                    : CBORObject.FromObject(e.getValue().newLength().longValue()));
            tw.Add(CBORObject.FromObject(e.getKey().intValue()), share);
        }
        CBORObject m = CBORObject.NewOrderedMap();
        m.Add("test-write-vectors", tw);
        m.Add("read-vector", readVectors(readVector));
        return m.EncodeToBytes();
    }

    public static ReadTestWriteRequest decodeReadTestWrite(byte[] body) {
        CBORObject m = map(decode(body), "read-test-write request");
        Map<Integer, TestWriteVectors> vectors = new LinkedHashMap<>();
        for (Map.Entry<CBORObject, CBORObject> e : map(field(m, "test-write-vectors"), "test-write-vectors")
                .getEntries()) {
            int share = shareNumber(e.getKey());
            CBORObject v = map(e.getValue(), "test-write vector");
            List<TestWriteVectors.Test> tests = new ArrayList<>();
            for (CBORObject t : limited(array(field(v, "test"), "test"), "test vectors")) {
                tests.add(new TestWriteVectors.Test(number(field(t, "offset")), number(field(t, "size")),
                        byteString(field(t, "specimen"))));
            }
            List<TestWriteVectors.Write> writes = new ArrayList<>();
            for (CBORObject w : array(field(v, "write"), "write")) {
                writes.add(new TestWriteVectors.Write(number(field(w, "offset")), byteString(field(w, "data"))));
            }
            CBORObject length = v.get("new-length");
            vectors.put(share, new TestWriteVectors(tests, writes,
                    length == null || length.isNull() ? null : number(length)));
        }
        List<ReadVector> reads = new ArrayList<>();
        for (CBORObject r : limited(array(field(m, "read-vector"), "read-vector"), "read vectors")) {
            reads.add(new ReadVector(number(field(r, "offset")), number(field(r, "size"))));
        }
        return new ReadTestWriteRequest(vectors, reads);
    }

    public static byte[] encodeReadTestWriteResult(ReadTestWriteResult result) {
        CBORObject data = CBORObject.NewOrderedMap();
        for (Map.Entry<Integer, List<byte[]>> e : new java.util.TreeMap<>(result.data()).entrySet()) {
            CBORObject reads = CBORObject.NewArray();
            for (byte[] read : e.getValue()) {
                reads.Add(CBORObject.FromObject(read));
            }
            data.Add(CBORObject.FromObject(e.getKey().intValue()), reads);
        }
        CBORObject m = CBORObject.NewOrderedMap();
        m.Add("success", result.success());
        m.Add("data", data);
        return m.EncodeToBytes();
    }

    public static ReadTestWriteResult decodeReadTestWriteResult(byte[] body) {
        CBORObject m = map(decode(body), "read-test-write result");
        CBORObject success = field(m, "success");
        if (success.getType() != CBORType.Boolean) {
            throw new MalformedMessage("'success' must be a boolean");
        }
        Map<Integer, List<byte[]>> data = new LinkedHashMap<>();
        CBORObject d = field(m, "data");
        if (d.getType() == CBORType.Map) {
            for (Map.Entry<CBORObject, CBORObject> e : d.getEntries()) {
                List<byte[]> reads = new ArrayList<>();
                for (CBORObject r : array(e.getValue(), "read data")) {
                    reads.add(byteString(r));
                }
                data.put(shareNumber(e.getKey()), reads);
            }
        } else if (!(d.getType() == CBORType.Array && d.size() == 0)) {
            throw new MalformedMessage("'data' must map share numbers to reads");
        }
        return new ReadTestWriteResult(success.isTrue(), data);
    }

    // ---- helpers ----

    private static CBORObject readVectors(List<ReadVector> readVector) {
        CBORObject reads = CBORObject.NewArray();
        for (ReadVector r : readVector) {
            CBORObject o = CBORObject.NewOrderedMap();
            o.Add("offset", r.offset());
            o.Add("size", r.size());
            reads.Add(o);
        }
        return reads;
    }

    /** The specification allows at most 30 test vectors per share and 30 read vectors per request. */
    private static List<CBORObject> limited(List<CBORObject> vectors, String what) {
        if (vectors.size() > MAX_VECTORS) {
            throw new MalformedMessage(vectors.size() + " " + what + " is more than the " + MAX_VECTORS + " allowed");
        }
        return vectors;
    }

    private static CBORObject decode(byte[] body) {
        try {
            return CBORObject.DecodeFromBytes(body);
        } catch (CBORException e) {
            throw new MalformedMessage("body is not CBOR: " + e.getMessage());
        }
    }

    private static CBORObject bytes(String text) {
        return CBORObject.FromObject(text.getBytes(StandardCharsets.UTF_8));
    }

    private static CBORObject set(Set<Integer> values) {
        CBORObject array = CBORObject.NewArray();
        for (int v : new TreeSet<>(values)) {
            array.Add(v);
        }
        return CBORObject.FromObjectAndTag(array, SET_TAG);
    }

    private static Set<Integer> shareSet(CBORObject o) {
        Set<Integer> shares = new TreeSet<>();
        for (CBORObject v : array(o, "share numbers")) {
            shares.add(shareNumber(v));
        }
        return shares;
    }

    private static int shareNumber(CBORObject o) {
        long n = number(o);
        if (n > 255) {
            throw new MalformedMessage("share number " + n + " is over 255");
        }
        return (int) n;
    }

    private static CBORObject map(CBORObject o, String what) {
        CBORObject plain = o.isTagged() ? o.Untag() : o;
        if (plain.getType() != CBORType.Map) {
            throw new MalformedMessage(what + " must be a map");
        }
        return plain;
    }

    private static List<CBORObject> array(CBORObject o, String what) {
        CBORObject plain = o.isTagged() ? o.Untag() : o;
        if (plain.getType() != CBORType.Array) {
            throw new MalformedMessage(what + " must be an array");
        }
        return new ArrayList<>(plain.getValues());
    }

    /** A map field under a text key, or under the same key as bytes (the version message). */
    private static CBORObject field(CBORObject map, String key) {
        CBORObject value = map.get(key);
        if (value == null) {
            value = map.get(bytes(key));
        }
        if (value == null) {
            throw new MalformedMessage("missing '" + key + "'");
        }
        return value;
    }

    private static long number(CBORObject o) {
        if (o.getType() != CBORType.Integer || !o.CanValueFitInInt64() || o.AsInt64Value() < 0) {
            throw new MalformedMessage("expected an unsigned integer, got " + o);
        }
        return o.AsInt64Value();
    }

    private static byte[] byteString(CBORObject o) {
        if (o.getType() != CBORType.ByteString) {
            throw new MalformedMessage("expected a byte string");
        }
        return o.GetByteString();
    }
}
