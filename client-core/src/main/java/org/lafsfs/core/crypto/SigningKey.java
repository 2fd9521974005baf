package org.lafsfs.core.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * A mutable file's RSA-2048 key pair. Tahoe signs with RSA-PSS (SHA-256, MGF1
 * SHA-256, 32-byte salt), stores the private key as PKCS#8 DER (encrypted with
 * the writekey) and the public key as SubjectPublicKeyInfo DER; the writekey is
 * a hash of that private-key DER, so the DER bytes must round-trip exactly.
 */
public final class SigningKey {
    public static final int KEY_BITS = 2048;
    private static final PSSParameterSpec PSS =
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

    private final PrivateKey privateKey;
    private final byte[] privateDer;
    private final VerifyingKey verifyingKey;

    private SigningKey(PrivateKey privateKey, byte[] privateDer, VerifyingKey verifyingKey) {
        this.privateKey = privateKey;
        this.privateDer = privateDer;
        this.verifyingKey = verifyingKey;
    }

    public static SigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(new RSAKeyGenParameterSpec(KEY_BITS, RSAKeyGenParameterSpec.F4));
            var pair = generator.generateKeyPair();
            return new SigningKey(pair.getPrivate(), pair.getPrivate().getEncoded(),
                    new VerifyingKey(pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is unavailable", e);
        }
    }

    /** Loads a PKCS#8 DER private key (as decrypted from a share); the public half is derived from it. */
    public static SigningKey fromDer(byte[] der) throws GeneralSecurityException {
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        PrivateKey key = rsa.generatePrivate(new PKCS8EncodedKeySpec(der));
        if (!(key instanceof RSAPrivateCrtKey crt) || crt.getModulus().bitLength() != KEY_BITS) {
            throw new GeneralSecurityException("not an RSA-" + KEY_BITS + " private key");
        }
        PublicKey pub = rsa.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        return new SigningKey(key, der.clone(), new VerifyingKey(pub));
    }

    public byte[] der() {
        return privateDer.clone();
    }

    public VerifyingKey verifyingKey() {
        return verifyingKey;
    }

    public byte[] sign(byte[] data) {
        try {
            Signature signature = Signature.getInstance("RSASSA-PSS");
            signature.setParameter(PSS);
            signature.initSign(privateKey);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-PSS signing failed", e);
        }
    }

    /** The public half: checks signatures of a mutable file's versions. */
    public static final class VerifyingKey {
        private final PublicKey key;
        private final byte[] der;

        private VerifyingKey(PublicKey key) {
            this.key = key;
            this.der = key.getEncoded();
        }

        public static VerifyingKey fromDer(byte[] der) throws GeneralSecurityException {
            PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            if (!(key instanceof java.security.interfaces.RSAPublicKey rsa)
                    || rsa.getModulus().bitLength() != KEY_BITS) {
                throw new GeneralSecurityException("not an RSA-" + KEY_BITS + " public key");
            }
            return new VerifyingKey(key);
        }

        public byte[] der() {
            return der.clone();
        }

        public boolean verify(byte[] data, byte[] signatureBytes) {
            try {
                Signature signature = Signature.getInstance("RSASSA-PSS");
                signature.setParameter(PSS);
                signature.initVerify(key);
                signature.update(data);
                return signature.verify(signatureBytes);
            } catch (java.security.SignatureException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("RSA-PSS verification is unavailable", e);
            }
        }
    }
}
