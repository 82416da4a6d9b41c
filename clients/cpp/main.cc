// sockrpc_client: calls the RPC core from the command line.
//   sockrpc_client [--target=host:port] now [--zone=Europe/Paris]
//   sockrpc_client [--target=host:port] square 123456789012345678901234567890
//   printf '1\n2\n3\n' | sockrpc_client stream
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "clients/cpp/client_commands.h"
#include "common/build_info.h"
#include "absl/strings/str_cat.h"
#include "common/flag_check.h"
#include "common/listen_address.h"
#include "common/process_setup.h"
#include "common/tls_credentials.h"

ABSL_FLAG(std::string, target, "localhost:50051", "The RPC core: any gRPC target URI.");
ABSL_FLAG(std::string, zone, "", "For `now`: IANA time zone; empty: the server's zone.");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA bundle: use TLS and verify the server with it.");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS), with --tls_key.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Deadline of `now` and `square`.");

namespace {

constexpr const char* kUsage =
    "Calls sockrpc's gRPC services.\n\n"
    "Usage:\n"
    "  sockrpc_client [--target=host:port] now [--zone=ZONE]\n"
    "  sockrpc_client [--target=host:port] square N\n"
    "  sockrpc_client [--target=host:port] stream      (numbers on stdin, one per line)\n\n"
    "Flags (before or after the command):\n"
    "  --target=HOST:PORT  the RPC core, any gRPC target URI (default localhost:50051)\n"
    "  --timeout=DURATION  deadline of `now` and `square`, e.g. 3s (default 10s)\n"
    "  --zone=ZONE         for `now`: IANA time zone (default: the server's zone)\n"
    "  --tls_ca=FILE       PEM CA bundle: use TLS and verify the server with it\n"
    "  --tls_cert=FILE     PEM client certificate (mutual TLS), with --tls_key\n"
    "  --tls_key=FILE      PEM private key of --tls_cert\n"
    "  --help              this help, on stdout, exit status 0\n\n"
    "Exit status: 0 success; 1 a call failed or a TLS file cannot be read; 2 a usage error\n"
    "(unknown command or flag, a flag value that does not parse or is out of range).\n";

// "-12" is a number, not a flag: such arguments go after "--", where Abseil
// leaves them positional. (Only `square` takes one, so order is kept.)
std::vector<char*> NegativeNumbersAfterDashDash(int argc, char** argv) {
  static char kEndOfFlags[] = "--";
  std::vector<char*> flags_and_verbs;
  std::vector<char*> numbers;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      for (int j = i + 1; j < argc; ++j) numbers.push_back(argv[j]);
      break;
    }
    const bool negative_number = i > 0 && arg.size() > 1 && arg[0] == '-' &&
                                 (arg[1] >= '0' && arg[1] <= '9');
    (negative_number ? numbers : flags_and_verbs).push_back(argv[i]);
  }
  if (!numbers.empty()) flags_and_verbs.push_back(kEndOfFlags);
  flags_and_verbs.insert(flags_and_verbs.end(), numbers.begin(), numbers.end());
  return flags_and_verbs;
}

// HOST:PORT, [IPV6]:PORT or a URI with a scheme gRPC resolves (which then
// reports its own errors): any other target is a usage error, not a failed
// call.
bool PlausibleTarget(const std::string& target) {
  for (const char* scheme : {"dns:", "unix:", "unix-abstract:", "ipv4:", "ipv6:", "xds:"}) {
    if (absl::StartsWith(target, scheme)) return true;
  }
  const absl::StatusOr<sockrpc::ListenAddress> address = sockrpc::ParseListenAddress(target);
  return address.ok() && address->port != 0;
}

// What the core's `decimal` accepts: an optional sign, then ASCII digits.
// Anything else is a usage error here, as in the other clients.
bool IsDecimalInteger(const std::string& text) {
  const size_t digits = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  return text.size() > digits &&
         text.find_first_not_of("0123456789", digits) == std::string::npos;
}

int Usage(const std::string& problem) {
  std::cerr << "sockrpc_client: " << problem << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  sockrpc::ReadCpuFrequencyBeforeGrpcConnects();
  absl::SetProgramUsageMessage(kUsage);
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = [] { return sockrpc::VersionText("sockrpc_client"); };
  // --help lists this client's own flags (Abseil's default matches files
  // named after the program, and this one is main.cc).
  usage_config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "clients/cpp/");
  };
  usage_config.contains_helpshort_flags = usage_config.contains_help_flags;
  usage_config.normalize_filename = [](absl::string_view file) {
    const size_t at = file.rfind("clients/");
    return std::string(at == absl::string_view::npos ? file : file.substr(at));
  };
  absl::SetFlagsUsageConfig(usage_config);
  // Help is not an error: print it on stdout and exit 0 (Abseil exits 1).
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
  }
  std::vector<char*> arguments = NegativeNumbersAfterDashDash(argc, argv);
  // Abseil's parser would exit with status 1 on these; they are usage errors.
  if (const absl::Status flags = sockrpc::CheckCommandLineFlags(arguments); !flags.ok()) {
    return Usage(std::string(flags.message()));
  }
  const std::vector<char*> args =
      absl::ParseCommandLine(static_cast<int>(arguments.size()), arguments.data());
  if (args.size() < 2) return Usage("no command given");
  const std::string verb = args[1];
  const absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      sockrpc::MakeChannelCredentials({absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_cert),
                                       absl::GetFlag(FLAGS_tls_key)});
  if (!credentials.ok()) {
    if (absl::IsInvalidArgument(credentials.status())) {
      return Usage(std::string(credentials.status().message()));
    }
    std::cerr << "sockrpc_client: " << credentials.status().message() << "\n";
    return 1;
  }
  if (!PlausibleTarget(absl::GetFlag(FLAGS_target))) {
    return Usage(absl::StrCat("--target \"", absl::GetFlag(FLAGS_target),
                              "\": expected host:port (port 1..65535), [ipv6]:port or a gRPC URI "
                              "such as dns:///host:port"));
  }
  if (absl::GetFlag(FLAGS_timeout) <= absl::ZeroDuration()) {
    return Usage("--timeout must be positive");
  }
  const auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_target), *credentials);
  sockrpc::ClientContextOptions options;
  options.timeout = absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_timeout));

  if (verb != "now" && !absl::GetFlag(FLAGS_zone).empty()) {
    return Usage("--zone applies to `now` only");
  }
  if (verb == "now") {
    if (args.size() != 2) return Usage("`now` takes no arguments (use --zone)");
    return sockrpc::RunNow(channel, absl::GetFlag(FLAGS_zone), options, std::cout, std::cerr);
  }
  if (verb == "square") {
    if (args.size() != 3) return Usage("`square` takes one integer");
    if (!IsDecimalInteger(args[2])) {
      return Usage(absl::StrCat("\"", args[2], "\" is not a decimal integer (an optional sign, "
                                "then ASCII digits)"));
    }
    return sockrpc::RunSquare(channel, args[2], options, std::cout, std::cerr);
  }
  if (verb == "stream") {
    if (args.size() != 2) return Usage("`stream` reads its numbers from stdin");
    return sockrpc::RunStream(channel, std::cin, std::cout, std::cerr);
  }
  return Usage("unknown command \"" + verb + "\"");
}
