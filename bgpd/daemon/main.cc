// evpnd: the BGP EVPN daemon. Reads its configuration (or runs on the built-in default), runs
// the speaker on one core thread, reloads on SIGHUP and shuts down cleanly on SIGTERM/SIGINT
// (Cease / Administrative Shutdown with an RFC 9003 communication to every peer).
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "bgpd/config/config_loader.h"
#include "bgpd/api/api_server.h"
#include "bgpd/daemon/daemon.h"
#include "bgpd/io/log.h"
#include "bgpd/metrics/http_server.h"

namespace {

constexpr const char* kUsage = R"(usage: evpnd [options]

  -c, --config FILE        configuration (protobuf text format, see proto/config.proto);
                           without it evpnd runs on the built-in default (AS 65000,
                           router-id 127.0.0.1, listening on 127.0.0.1 port 1790, no peers)
  --check-config           validate the configuration and exit (0 valid, 1 invalid)
  --print-default-config   print the built-in default configuration and exit
  --log-level LEVEL        trace, debug, info (default), warn, error
  -h, --help

Signals: SIGHUP reloads the configuration file, applying only what changed; SIGTERM and
SIGINT send Cease / Administrative Shutdown to every peer and exit.
)";

struct Args {
  std::optional<std::string> config;
  bool check = false;
  bool print_default = false;
  std::string log_level = "info";
};

std::optional<Args> Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "-c" || arg == "--config") {
      a.config = value();
      if (!a.config) return std::nullopt;
    } else if (arg == "--check-config") {
      a.check = true;
    } else if (arg == "--print-default-config") {
      a.print_default = true;
    } else if (arg == "--log-level") {
      auto level = value();
      if (!level) return std::nullopt;
      a.log_level = *level;
    } else {
      return std::nullopt;
    }
  }
  return a;
}

// RFC 4724 needs to know a restart from a cold start. A clean exit removes the API socket, and
// a crash or kill leaves it (systemd keeps /run/evpnd across restarts, see
// examples/systemd/evpnd.service): a socket file nobody answers on means the previous evpnd
// died, so its peers and the kernel may still hold its routes. Without a Unix API socket there
// is no witness, and every start is a cold one.
bool PreviousRunDidNotExit(const evpnd::bgpd::ApiConfig& api) {
  struct stat st {};
  return !api.unix_socket.empty() && stat(api.unix_socket.c_str(), &st) == 0 &&
         S_ISSOCK(st.st_mode);
}

absl::StatusOr<evpnd::bgpd::Config> Load(const Args& a) {
  if (!a.config) return evpnd::bgpd::DefaultConfig();
  return evpnd::bgpd::LoadConfigFile(*a.config);
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Args> args = Parse(argc, argv);
  if (!args) {
    std::cerr << kUsage;
    return 2;
  }
  if (args->print_default) {
    std::cout << evpnd::bgpd::DefaultConfigText();
    return 0;
  }
  const auto level = spdlog::level::from_str(args->log_level);
  if (level == spdlog::level::off && args->log_level != "off") {
    std::cerr << "evpnd: unknown log level '" << args->log_level
              << "' (trace, debug, info, warn, error, critical, off)\n";
    return 2;
  }
  spdlog::set_level(level);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  absl::StatusOr<evpnd::bgpd::Config> config = Load(*args);
  if (!config.ok()) {
    std::cerr << "evpnd: " << config.status().message() << "\n";
    return 1;
  }
  if (args->check) {
    std::cout << "evpnd: configuration is valid\n";
    return 0;
  }
  evpnd::bgpd::asio::io_context io;
  evpnd::bgpd::Daemon daemon(io, *config, PreviousRunDidNotExit(config->global.api));
  if (absl::Status s = daemon.Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  // Prometheus: off unless configured; a reload may turn it on, off or move it.
  evpnd::bgpd::metrics::HttpServer metrics(io, [&daemon] { return daemon.RenderMetrics(); });
  auto apply_metrics = [&metrics](const evpnd::bgpd::MetricsConfig& m) {
    if (!m.enabled()) {
      metrics.Stop();
      return;
    }
    if (absl::Status s = metrics.Start(m.address, m.port); !s.ok()) {
      spdlog::error("{}; running without metrics", s.message());
    }
  };
  apply_metrics(config->global.metrics);
  // SIGHUP and the API's ReloadConfig: read the file again and apply the difference.
  std::function<absl::Status()> reload = [&]() -> absl::Status {
    if (!args->config) {
      spdlog::info("reload: running on the built-in default, nothing to reload");
      return absl::OkStatus();
    }
    absl::StatusOr<evpnd::bgpd::Config> next = Load(*args);
    if (!next.ok()) {
      spdlog::error("reload refused, configuration kept: {}", next.status().message());
      return next.status();
    }
    spdlog::info("reloading {}", *args->config);
    if (!(next->global.api == daemon.config().global.api)) {
      spdlog::warn("reload: api settings change only with a restart");
    }
    const bool metrics_changed = !(next->global.metrics == daemon.config().global.metrics);
    daemon.Reload(*next);
    if (metrics_changed) apply_metrics(daemon.config().global.metrics);
    return absl::OkStatus();
  };
  evpnd::bgpd::ApiServer api(io, daemon, reload);
  if (absl::Status s = api.Start(config->global.api); !s.ok()) {
    spdlog::error("{}; running without the management API", s.message());
  }
  evpnd::bgpd::asio::signal_set signals(io, SIGHUP, SIGTERM, SIGINT);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          (void)reload();
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("signal {}: shutting down", signal);
        daemon.Shutdown("evpnd shutting down");
      };
  signals.async_wait(on_signal);
  spdlog::info("evpnd started: AS {}, router-id {}, {} peers", config->global.local_as,
               evpnd::evpn::IpAddress::V4(config->global.router_id).ToString(),
               config->peers.size());
  io.run();
  metrics.Stop();
  api.Stop();
  spdlog::info("evpnd stopped");
  return 0;
}
