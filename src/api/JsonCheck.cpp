#include "JsonCheck.h"
#include "sipbridge/api/HttpErrors.h"

#include "sipbridge/core/Errors.h"

#include <set>
#include <vector>

namespace sipbridge::api {
namespace {

constexpr int kMaxDepth = 64;

/// A recursive-descent reader that validates only; `path_` names where it is.
class Checker {
 public:
  explicit Checker(const std::string& text) : text_(text) {}

  void run() {
    skipSpace();
    value(0);
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected text after the JSON value");
  }

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& code = "malformed_json") {
    std::string field;
    for (const auto& part : path_) field += (field.empty() || part[0] == '[' ? "" : ".") + part;
    throw HttpError(400, code,
                    "the body is not valid JSON: " + what + " at byte " + std::to_string(pos_),
                    field);
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }

  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
      ++pos_;
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  void value(int depth) {
    if (depth > kMaxDepth) fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    switch (peek()) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        string();
        return;
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return number();
        fail(atEnd() ? "unexpected end of text" : "unexpected character");
    }
  }

  void literal(const char* word) {
    for (const char* c = word; *c; ++c) {
      if (peek() != *c) fail(std::string("expected ") + word);
      ++pos_;
    }
  }

  void digits() {
    if (!(peek() >= '0' && peek() <= '9')) fail("expected a digit");
    while (peek() >= '0' && peek() <= '9') ++pos_;
  }

  void number() {
    if (peek() == '-') ++pos_;
    if (peek() == '0')
      ++pos_;
    else
      digits();
    if (peek() == '.') {
      ++pos_;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      digits();
    }
  }

  void object(int depth) {
    expect('{');
    skipSpace();
    std::set<std::string> names;
    if (peek() == '}') {
      ++pos_;
      return;
    }
    for (;;) {
      skipSpace();
      const std::string name = string();
      path_.push_back(name);
      if (!names.insert(name).second) fail("duplicate member name", "duplicate_member");
      skipSpace();
      expect(':');
      skipSpace();
      value(depth + 1);
      path_.pop_back();
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return;
    }
  }

  void array(int depth) {
    expect('[');
    skipSpace();
    if (peek() == ']') {
      ++pos_;
      return;
    }
    for (int index = 0;; ++index) {
      path_.push_back("[" + std::to_string(index) + "]");
      skipSpace();
      value(depth + 1);
      path_.pop_back();
      skipSpace();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return;
    }
  }

  unsigned hex4() {
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      code <<= 4;
      if (c >= '0' && c <= '9')
        code |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        code |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        code |= static_cast<unsigned>(c - 'A' + 10);
      else
        fail("a \\u escape needs four hex digits");
      ++pos_;
    }
    return code;
  }

  /// One UTF-8 encoded character starting at pos_ (not ASCII); advances past it.
  void utf8() {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
    const unsigned char lead = byte(0);
    int length = 0;
    unsigned low = 0x80, high = 0xBF;  // range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;  // U+D800..U+DFFF are not characters
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      fail("invalid UTF-8 in a string");
    }
    if (pos_ + static_cast<std::size_t>(length) > text_.size()) fail("invalid UTF-8 in a string");
    if (byte(1) < low || byte(1) > high) fail("invalid UTF-8 in a string");
    for (int i = 2; i < length; ++i)
      if (byte(static_cast<std::size_t>(i)) < 0x80 || byte(static_cast<std::size_t>(i)) > 0xBF)
        fail("invalid UTF-8 in a string");
    pos_ += static_cast<std::size_t>(length);
  }

  /// A string; returns its raw text between the quotes (escapes kept) for duplicate checks.
  std::string string() {
    expect('"');
    const std::size_t start = pos_;
    for (;;) {
      if (atEnd()) fail("unterminated string");
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') break;
      if (c < 0x20) fail("a control character in a string must be escaped");
      if (c >= 0x80) {
        utf8();
        continue;
      }
      ++pos_;
      if (c != '\\') continue;
      const char e = peek();
      ++pos_;
      if (e == 'u') {
        const unsigned code = hex4();
        if (code >= 0xDC00 && code <= 0xDFFF) fail("a lone low surrogate escape in a string");
        if (code >= 0xD800 && code <= 0xDBFF) {
          if (peek() != '\\' || pos_ + 1 >= text_.size() || text_[pos_ + 1] != 'u')
            fail("a lone high surrogate escape in a string");
          pos_ += 2;
          const unsigned second = hex4();
          if (second < 0xDC00 || second > 0xDFFF) fail("a lone high surrogate escape in a string");
        }
      } else if (std::string("\"\\/bfnrt").find(e) == std::string::npos || e == '\0') {
        fail("an invalid escape in a string");
      }
    }
    const std::string raw = text_.substr(start, pos_ - start);
    ++pos_;
    return raw;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
  std::vector<std::string> path_;
};

}  // namespace

void checkJsonText(const std::string& text) {
  Checker(text).run();
}

}  // namespace sipbridge::api
