/**
 * Cosign-compatible signatures, made and verified in Java with no cosign binary: an image's
 * signature is cosign's simple-signing payload signed with ECDSA P-256/SHA-256 and stored beside
 * the image under the tag {@code sha256-<hex>.sig}, in the OCI image cosign writes (a config as
 * go-containerregistry writes it, one {@code application/vnd.dev.cosign.simplesigning.v1+json}
 * layer per signature, the base64 DER signature in the {@code dev.cosignproject.cosign/signature}
 * annotation); blob signatures are base64 DER, as {@code cosign sign-blob} writes them.
 *
 * <p>{@link dev.kairos.factory.oci.api.sign.Cosign} is the entry point;
 * {@link dev.kairos.factory.oci.api.sign.SigningKey} reads cosign's encrypted {@code cosign.key}
 * (scrypt N=32768 r=8 p=1 + NaCl secretbox, the format of sigstore's cryptoutils) and plain PEM
 * keys, and writes key pairs as {@code cosign generate-key-pair} does;
 * {@link dev.kairos.factory.oci.api.sign.VerificationKey} reads {@code cosign.pub}.
 *
 * <p>Where it differs from cosign: keys only (no keyless Fulcio certificates), no Rekor
 * transparency-log entry (verify with {@code cosign verify --insecure-ignore-tlog=true}, as for
 * cosign's own {@code --tlog-upload=false} signatures), and only ECDSA P-256 keys (cosign's
 * default; it also accepts RSA and Ed25519 keys it imports).
 */
package dev.kairos.factory.oci.api.sign;
