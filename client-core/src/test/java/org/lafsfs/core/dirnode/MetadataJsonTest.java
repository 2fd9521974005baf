package org.lafsfs.core.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Metadata JSON is written byte for byte as Python's json.dumps writes it, since
 * Tahoe's directory bytes contain it. Every expected string here is Python 3.11's
 * own output for the same value.
 */
class MetadataJsonTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ' ', value = {
            "1.0 1.0", "2.0 2.0", "0.5 0.5", "1700000000.123456 1700000000.123456", "1700000001.5 1700000001.5",
            "0.1 0.1", "0.3 0.3", "1e16 1e+16", "1e-5 1e-05", "0.0001 0.0001",
            "123456789012345678.0 1.2345678901234568e+17", "1.5e300 1.5e+300", "-0.0 -0.0", "0.0 0.0",
            "5e-324 5e-324", "2.2250738585072014e-308 2.2250738585072014e-308",
            "1.7976931348623157e308 1.7976931348623157e+308", "9007199254740992.0 9007199254740992.0",
            "1e22 1e+22", "1e23 1e+23", "2e23 2e+23", "2.675 2.675", "100.0 100.0",
            "1234567890123456.0 1234567890123456.0", "12345678901234567.0 1.2345678901234568e+16",
            "-1.5 -1.5", "4.35 4.35", "0.001 0.001", "1e-7 1e-07", "1.5e-323 1.5e-323", "8.41e21 8.41e+21",
            "5e-310 5e-310", "1.2e-05 1.2e-05", "123.456 123.456",
            "NaN NaN", "Infinity Infinity", "-Infinity -Infinity"})
    void floatsAreSpelledAsPythonsRepr(String value, String python) {
        assertThat(MetadataJson.floatRepr(Double.parseDouble(value))).isEqualTo(python);
    }

    /** Random bit patterns, link-time-like values and assorted magnitudes, with Python's json.dumps of each. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ' ', value = {
            "749882321e35049e 4.492152248019643e+253",
            "79c8c2926b94b5b5 4.389120112770094e+278",
            "4242aadbc8f429a4 160351883752.32532",
            "eb7a79959588532d -5.4399131119142674e+209",
            "3cf3bd58da60fb1c 4.383079907872608e-15",
            "515c61236c88c537 8.614354442467737e+83",
            "f4b1b64633be40f5 -1.2985664392816573e+254",
            "88718c966f3d88f7 -5.314965623006408e-268",
            "da1b195060c40eb7 -1.146488202889241e+126",
            "5b08acc213a5bf07 3.420758551378043e+130",
            "6a5d670af9a3638e 2.3046315439163635e+204",
            "4a894db7e48f12b9 1.1833994934170815e+51",
            "dabe22cad37b17c6 -1.3055768296735293e+129",
            "82b9bfbc91ba7257 -1.5748679552677205e-295",
            "0cf197f45625871b 2.51627196477289e-246",
            "a5240b6020d0b29c -9.036613517376497e-130",
            "b4a3165de1ab3e01 -3.892215651960722e-55",
            "400cb70f964e03c0 3.589385198837107",
            "e683acdf2060d7c4 -6.688184663054428e+185",
            "83d8e92df2adcc0e -3.994044171376333e-290",
            "4f3d9a4de6cf02bb 5.2303534038858595e+73",
            "b039ee169646a718 -2.239361282907897e-76",
            "135ab03d8de49eb1 1.9354693131874806e-215",
            "e085b021e0d44f2b -9.305240496802682e+156",
            "a6a86bd5a7550d23 -1.8471377613108987e-122",
            "428474c15e9ecba7 2811461620697.4565",
            "69d6bd800bc49874 6.962609881020059e+201",
            "94a2de50ff542939 -2.8696480509335243e-209",
            "dcb25c12903c3ad2 -3.41619470970423e+138",
            "764ae4d4359e9d02 6.616060051749092e+261",
            "959ba1690ce64264 -1.3769933585597693e-204",
            "79fdda8fd41f125b 4.2336503662127315e+279",
            "4e5ac63a43514e2e 2.887337660350333e+69",
            "167dd41a347a2e47 2.4355366694702615e-200",
            "23263c49440a9a11 2.3339888564043163e-139",
            "a30354ef398bdedf -5.072987159160624e-140",
            "98f01733d942b204 -1.444561059875671e-188",
            "67c8765c57810ce8 8.719375264419009e+191",
            "0df2d1aff1067dbd 1.7639331668509974e-241",
            "a37f115c6a44f3cc -1.0435487072953564e-137",
            "41dd5f4c383e147b 1971138784.97",
            "41d857753c6ccccd 1633539313.7",
            "41d2a60c76a3aaf8 1251488218.55731",
            "41da6616ec266666 1771592624.6",
            "41d1ff272c820553 1207737522.031575",
            "41d7ede1177b0bd5 1605862493.9225972",
            "41d920f3aa9bd70a 1686359722.435",
            "41dcd85081d33333 1935753735.3",
            "41dbc3c134a9ba5e 1863255250.652",
            "41d6ed3cac60d4fe 1538585265.513",
            "41da9b8b2ac6de6a 1785605291.107325",
            "41db6aab8da30b1a 1839902262.5475526",
            "41db235d77525b53 1821210077.286824",
            "41d186382f466666 1176035517.1",
            "41d3cdc4d55c26d0 1329009493.439869",
            "41d50ddccdd1404f 1412920119.26955",
            "41da3db4a769999a 1761006237.65",
            "41d4ac035b7985f0 1387269485.8988",
            "41d197b9bde84189 1180624631.629",
            "41d4a6d7ac05c28f 1385914032.09",
            "41db50bc7452f018 1833103825.2959042",
            "41d8361a96529611 1624795737.2904093",
            "41d0369d00844880 1088058370.066925",
            "41d7383cc6dda1cb 1558246171.463",
            "41cf718aa08acf6c 1055069505.084455",
            "41d2f1c2d43202b8 1271335760.781416",
            "41d362d9dd79999a 1300981621.9",
            "41dcff9d2c800000 1946055858.0",
            "41d9e96a6eb6a993 1738910138.8541",
            "41d63352c1000000 1489849092.0",
            "41d0446a3befc482 1091676399.746369",
            "41db065c18533333 1813606497.3",
            "41d201784e3af6f5 1208344888.921323",
            "41d450c8addc74d1 1363354295.44463",
            "41d454d4381b851f 1364414688.43",
            "41dc4a012cc5d25b 1898448051.090964",
            "41dd293d1eea9ce5 1956967547.665826",
            "41d098ebc321e2ab 1113829132.5294597",
            "41d1f8a7a6800000 1206034074.0",
            "41d397e1069353f8 1314882586.302",
            "43d05403e8fd9ebe 4.706278807491508e+18",
            "3f80d95fe966be60 0.008227109251350118",
            "40bb40e4ff862c46 6976.894523988542",
            "43a27c67b170b637 6.660268007963432e+17",
            "41c4bd2a3586984b 695882859.0515226",
            "3ecb8a2f166a2827 3.2829977272873746e-06",
            "4081ff09219c8d01 575.8794586401492",
            "4339d9bc04c17d04 7276275974634756.0",
            "4373f8fd7508636e 8.994867250241302e+16",
            "439180be57790ae1 3.153042946414818e+17",
            "3f23491721e33e73 0.0001471367585907827",
            "3ecdd6a8b4bc79b5 3.5570277868844762e-06",
            "4181075bdae14743 35711867.3599992",
            "3f2cea20018dec62 0.00022060051631087307",
            "3ee23032d15c5697 8.67284556308892e-06",
            "41a615d361021125 185264560.50403705",
            "4250a545733d9003 285969075446.2502",
            "40152cb3ff7f1d6f 5.293655388005717",
            "408bb5ab2505896e 886.708566706902",
            "3f4edf0c53cb4103 0.0009421167556755986"
    })
    void randomFloatsAreSpelledAsPythonsRepr(String bits, String python) {
        assertThat(MetadataJson.floatRepr(Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16)))).isEqualTo(python);
    }

    @Test
    void everyFloatReadsBackAsItselfInNoMoreDigitsThanJavaUses() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isFinite(d)) {
                continue;
            }
            String repr = MetadataJson.floatRepr(d);
            assertThat(Double.parseDouble(repr)).as(repr).isEqualTo(d);
            assertThat(significantDigits(repr)).as(repr).isLessThanOrEqualTo(significantDigits(Double.toString(d)));
        }
    }

    @Test
    void objectsUsePythonsSeparatorsAndKeepTheirKeyOrder() {
        ObjectNode metadata = MetadataJson.parse(
                "{\"z\":1,\"a\":[1,2.5,null,true,false,{}],\"tahoe\":{\"linkmotime\":2,\"linkcrtime\":1.0}}"
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(MetadataJson.dumps(metadata)).isEqualTo(
                "{\"z\": 1, \"a\": [1, 2.5, null, true, false, {}], \"tahoe\": {\"linkmotime\": 2, \"linkcrtime\": 1.0}}");
    }

    @Test
    void stringsAreEscapedToAsciiAsPythonDoes() {
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        metadata.put("a", "caf\u00e9 \u2615 \uD83D\uDE00 \u007f\u0001\"\\/\n\t\b\f\r");

        // Python: json.dumps({'a': 'caf\u00e9 \u2615 \U0001F600 \x7f\x01"\\/\n\t\b\f\r'})
        assertThat(MetadataJson.dumps(metadata))
                .isEqualTo("{\"a\": \"caf\\u00e9 \\u2615 \\ud83d\\ude00 \\u007f\\u0001\\\"\\\\/\\n\\t\\b\\f\\r\"}");
    }

    @Test
    void bigIntegersStayExact() {
        ObjectNode metadata = MetadataJson.parse("{\"n\": 123456789012345678901234567890, \"m\": -0}"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(MetadataJson.dumps(metadata)).isEqualTo("{\"n\": 123456789012345678901234567890, \"m\": 0}");
    }

    @Test
    void numbersWithAnExponentAreFloatsAsInPython() {
        assertThat(MetadataJson.dumps(MetadataJson.parse("{\"t\": 1E2}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("{\"t\": 100.0}");
    }

    @Test
    void pythonsNanAndInfinityAreRead() {
        ObjectNode metadata = MetadataJson.parse("{\"a\": NaN, \"b\": -Infinity}".getBytes(StandardCharsets.UTF_8));

        assertThat(MetadataJson.dumps(metadata)).isEqualTo("{\"a\": NaN, \"b\": -Infinity}");
    }

    @Test
    void aRepeatedKeyKeepsItsFirstPlaceAndLastValueAsInPython() {
        ObjectNode metadata = MetadataJson.parse("{\"a\": 1, \"b\": 2, \"a\": 3}".getBytes(StandardCharsets.UTF_8));

        assertThat(MetadataJson.dumps(metadata)).isEqualTo("{\"a\": 3, \"b\": 2}");
    }

    @Test
    void metadataMustBeOneJsonObject() {
        assertThatThrownBy(() -> MetadataJson.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("object");
        assertThatThrownBy(() -> MetadataJson.parse("{} {}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetadataJson.parse("{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetadataJson.parse(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int significantDigits(String number) {
        String mantissa = number.replaceFirst("^-", "").split("[eE]")[0].replace(".", "");
        return mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "").length();
    }
}
