#include "TestCertificates.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sipbridge::test {
namespace {

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ",") + part;
  return out;
}

}  // namespace

tls::TlsClient& systemTls() {
  static tls::TlsClient client({});
  return client;
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TestCa::TestCa(const std::string& name) : caFile_(dir_.path() + "/ca.pem") {
  const std::string& d = dir_.path();
  writeText(d + "/index.txt", "");
  writeText(d + "/serial", "1000\n");
  writeText(d + "/ca.cnf",
            "[ca]\ndefault_ca = test\n[test]\ndatabase = " + d +
                "/index.txt\nnew_certs_dir = " + d + "\nserial = " + d +
                "/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
                "copy_extensions = none\ndefault_days = 1\n[any]\ncommonName = supplied\n");
  runCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
             "/ca.key -out " + caFile_ + " -days 2 -subj '/CN=" + name +
             "' -addext basicConstraints=critical,CA:TRUE"
             " -addext keyUsage=critical,keyCertSign,cRLSign");
}

std::string TestCa::caPem() const {
  return readText(caFile_);
}

IssuedCertificate TestCa::issue(const std::string& commonName, const std::string& extensions,
                                bool expired) {
  const std::string& d = dir_.path();
  const std::string base = d + "/leaf" + std::to_string(++serial_);
  writeText(base + ".ext", extensions);
  runCommand("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + base +
             ".key -out " + base + ".csr -subj '/CN=" + commonName + "'");
  const std::string validity =
      expired ? " -startdate 20200101000000Z -enddate 20200102000000Z" : " -days 1";
  runCommand("openssl ca -batch -notext -config " + d + "/ca.cnf -cert " + caFile_ + " -keyfile " +
             d + "/ca.key -in " + base + ".csr -out " + base + ".pem -extfile " + base + ".ext" +
             validity);
  IssuedCertificate issued;
  issued.certFile = base + ".pem";
  issued.keyFile = base + ".key";
  issued.certPem = readText(issued.certFile);
  issued.keyPem = readText(issued.keyFile);
  return issued;
}

IssuedCertificate TestCa::server(const std::string& commonName,
                                 const std::vector<std::string>& altNames, bool expired) {
  return issue(commonName,
               "basicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\nsubjectAltName = " +
                   joined(altNames) + "\n",
               expired);
}

IssuedCertificate TestCa::client(const std::string& commonName) {
  return issue(commonName, "basicConstraints = CA:FALSE\nextendedKeyUsage = clientAuth\n", false);
}

}  // namespace sipbridge::test
