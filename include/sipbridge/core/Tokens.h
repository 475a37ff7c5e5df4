#pragma once

#include <cstddef>
#include <string>

namespace sipbridge::core {

/// `bytes` random bytes (from the system's CSPRNG) as lower-case hex.
std::string randomHex(std::size_t bytes);
/// `bytes` random bytes as unpadded base64url: for tokens and secrets.
std::string randomToken(std::size_t bytes);
/// SHA-256 of `token` as lower-case hex: what the store keeps instead of a token.
std::string tokenHash(const std::string& token);
/// A new Standard Webhooks signing secret: "whsec_" + base64 of 24 random bytes.
std::string newSigningSecret();
/// Compares in time that depends only on the lengths, not on where the strings differ.
bool constantTimeEquals(const std::string& a, const std::string& b);

}  // namespace sipbridge::core
