#pragma once
// Documents quoted from the RFCs, shared by the parser tests and benchmarks.

#include <string>

namespace sipbridge::test {

/// RFC 3863 section 6: the PIDF example (its extension element is in a namespace of its own).
inline const std::string kRfc3863Pidf =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\n"
    "    xmlns:im=\"urn:ietf:params:xml:ns:pidf:im\"\n"
    "    xmlns:myex=\"http://id.example.com/presence/\"\n"
    "    entity=\"pres:someone@example.com\">\n"
    "  <tuple id=\"bs35r9\">\n"
    "    <status>\n"
    "      <basic>open</basic>\n"
    "      <im:im>busy</im:im>\n"
    "      <myex:location>home</myex:location>\n"
    "    </status>\n"
    "    <contact priority=\"0.8\">im:someone@mobilecarrier.net</contact>\n"
    "    <note xml:lang=\"en\">Don't Disturb Please!</note>\n"
    "    <note xml:lang=\"fr\">Ne derangez pas, s'il vous plait</note>\n"
    "    <timestamp>2001-10-27T16:49:29Z</timestamp>\n"
    "  </tuple>\n"
    "  <tuple id=\"eg92n8\">\n"
    "    <status>\n"
    "      <basic>open</basic>\n"
    "    </status>\n"
    "    <contact priority=\"1.0\">mailto:someone@example.com</contact>\n"
    "  </tuple>\n"
    "  <note>I'll be in Tokyo next week</note>\n"
    "</presence>\n";

}  // namespace sipbridge::test
