#include "sipbridge/hooks/Signer.h"

#include "sipbridge/hooks/HookErrors.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

#include <sstream>

namespace sipbridge::hooks {
namespace {

/// SHA-256 with the block and digest sizes Poco::HMACEngine needs as enums.
class SHA256Engine : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  SHA256Engine() : Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};

const std::string kPrefix = "whsec_";

std::string base64(const Poco::DigestEngine::Digest& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

bool constantTimeEqual(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string Signer::decodeSecret(const std::string& secret) {
  if (secret.compare(0, kPrefix.size(), kPrefix) != 0) {
    if (secret.empty()) throw InvalidSecret("the hook secret is empty");
    return secret;
  }
  const std::string encoded = secret.substr(kPrefix.size());
  std::string key;
  try {
    std::istringstream in(encoded);
    Poco::Base64Decoder decoder(in);
    key.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
  } catch (const Poco::Exception&) {
    throw InvalidSecret("the hook secret after whsec_ is not valid base64");
  }
  if (key.empty()) throw InvalidSecret("the hook secret after whsec_ is empty");
  return key;
}

Signer::Signer(const std::string& secret) : key_(decodeSecret(secret)) {}

std::string Signer::sign(const std::string& webhookId, std::int64_t timestampSeconds,
                         const std::string& body) const {
  Poco::HMACEngine<SHA256Engine> hmac(key_);
  hmac.update(webhookId);
  hmac.update('.');
  hmac.update(std::to_string(timestampSeconds));
  hmac.update('.');
  hmac.update(body);
  return "v1," + base64(hmac.digest());
}

bool Signer::verify(const std::string& webhookId, std::int64_t timestampSeconds,
                    const std::string& body, const std::string& signatureHeader) const {
  const std::string expected = sign(webhookId, timestampSeconds, body);
  bool found = false;
  std::istringstream entries(signatureHeader);
  std::string entry;
  while (entries >> entry) found = constantTimeEqual(entry, expected) || found;
  return found;
}

}  // namespace sipbridge::hooks
