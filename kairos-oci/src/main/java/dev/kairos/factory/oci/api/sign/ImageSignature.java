package dev.kairos.factory.oci.api.sign;

import java.util.Map;

/**
 * One cosign signature of an image, as signed or as verified.
 *
 * @param dockerReference the payload's {@code critical.identity.docker-reference} (registry/repository)
 * @param digest the signed image's manifest digest ({@code critical.image.docker-manifest-digest})
 * @param signatureTag where the signatures are stored: {@code registry/repository:sha256-<hex>.sig}
 * @param payloadDigest the digest of the payload layer
 * @param signature the base64 ASN.1 DER signature (the {@code dev.cosignproject.cosign/signature} annotation)
 * @param optional the payload's {@code optional} annotations (empty when null)
 * @param signatures how many signature layers the signature image holds (after a sign: with this one)
 */
public record ImageSignature(String dockerReference, String digest, String signatureTag, String payloadDigest,
    String signature, Map<String, String> optional, int signatures) {
  /** Copies {@code optional}. */
  public ImageSignature {
    optional = Map.copyOf(optional);
  }
}
