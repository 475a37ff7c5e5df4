#pragma once

#include <cstdint>
#include <string>

namespace sipbridge::hooks {

/// Standard Webhooks signatures (HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>").
/// Immutable after construction; thread-safe. Holds the key bytes; never log it.
class Signer {
 public:
  /// `secret` is "whsec_<base64>" (the key is the decoded part) or, without that prefix,
  /// raw key bytes used as they are. Throws InvalidSecret when empty or badly encoded.
  explicit Signer(const std::string& secret);

  /// The `webhook-signature` header value: "v1,<base64 of the HMAC>".
  /// `timestampSeconds` is the `webhook-timestamp` (Unix seconds).
  std::string sign(const std::string& webhookId, std::int64_t timestampSeconds,
                   const std::string& body) const;

  /// True when one of the space-separated "v1,<base64>" entries of `signatureHeader`
  /// matches (compared in constant time). Other versions are ignored.
  bool verify(const std::string& webhookId, std::int64_t timestampSeconds, const std::string& body,
              const std::string& signatureHeader) const;

  /// The key bytes a secret stands for (see the constructor).
  static std::string decodeSecret(const std::string& secret);

 private:
  std::string key_;
};

}  // namespace sipbridge::hooks
