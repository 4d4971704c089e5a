// tests/netns/netns_lab.h: a throw-away lab of network namespaces for real-packet tests.
// One "switch" namespace holds a Linux bridge; each host namespace has eth0, a veth into it.
// Only addresses from the project's 10.77.32.0/21 (this suite's subnet) are used. Everything is
// named with a per-test prefix, leftovers of that prefix are removed first, and the destructor
// kills child processes and deletes every namespace even when the test fails.
#ifndef KIRIWAKE_TESTS_NETNS_NETNS_LAB_H_
#define KIRIWAKE_TESTS_NETNS_NETNS_LAB_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace kiriwake::netns {

inline int Sh(const std::string& cmd) {
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Why the lab cannot run here, or "" when it can.
inline std::string LabUnavailable() {
  if (geteuid() != 0) return "needs root (ip netns, nft)";
  if (Sh("command -v nft") != 0) return "nft (nftables) is not installed";
  if (Sh("command -v ip") != 0) return "ip (iproute2) is not installed";
  return "";
}

class Lab {
 public:
  // prefix: e.g. "kwa-p" (≤ 6 chars: veth names are limited to 15); subnet: "10.77.32".
  Lab(std::string prefix, std::string subnet) : prefix_(std::move(prefix)), subnet_(std::move(subnet)) {
    CleanLeftovers();
    sw_ = prefix_ + "-sw";
    ok_ = Sh("ip netns add " + sw_) == 0 &&
          Sh("ip -n " + sw_ + " link add br0 type bridge") == 0 &&
          Sh("ip -n " + sw_ + " link set br0 up") == 0;
  }
  ~Lab() {
    for (pid_t p : children_) {
      ::kill(p, SIGKILL);
      ::waitpid(p, nullptr, 0);
    }
    for (const auto& h : hosts_) Sh("ip netns del " + h);
    Sh("ip netns del " + sw_);
  }
  bool ok() const { return ok_; }

  // Adds host number n (address SUBNET.n/24) and returns its namespace name.
  std::string AddHost(int n) {
    std::string ns = prefix_ + "-h" + std::to_string(n);
    std::string port = prefix_ + "h" + std::to_string(n);  // veth end in the switch
    std::string addr = Address(n);
    bool ok = Sh("ip netns add " + ns) == 0 &&
              Sh("ip -n " + ns + " link set lo up") == 0 &&
              Sh("ip -n " + sw_ + " link add " + port + " type veth peer name eth0 netns " + ns) == 0 &&
              Sh("ip -n " + sw_ + " link set " + port + " master br0 up") == 0 &&
              Sh("ip -n " + ns + " addr add " + addr + "/24 dev eth0") == 0 &&
              Sh("ip -n " + ns + " link set eth0 up") == 0;
    hosts_.push_back(ns);
    ok_ = ok_ && ok;
    return ns;
  }
  std::string Address(int n) const { return subnet_ + "." + std::to_string(n); }

  // Drops `percent`% of the IPv4 packets crossing host n's veth in each direction, like a bad
  // cable: nftables netdev *ingress* hooks on both ends (eth0 inside the host for what arrives,
  // the switch-side end for what leaves), so no sender sees an error. Drops in the inet output
  // hook would fail sendmsg() with EPERM and an egress hook with ENOBUFS; no cable does that.
  // IPv4 only: dropping ARP too would turn some losses into "host unreachable" errors.
  bool AddLoss(int n, int percent) {
    std::string p = std::to_string(percent);
    auto hook = [&](const std::string& ns, const std::string& dev) {
      std::string nft = "ip netns exec " + ns + " nft ";
      return Sh(nft + "add table netdev kw") == 0 &&
             Sh(nft + "'add chain netdev kw in { type filter hook ingress device " +
                dev + " priority 0; }'") == 0 &&
             Sh(nft + "add rule netdev kw in meta protocol ip numgen random mod 100 '<' " +
                p + " drop") == 0;
    };
    return hook(prefix_ + "-h" + std::to_string(n), "eth0") &&
           hook(sw_, prefix_ + "h" + std::to_string(n));
  }

  // Starts `argv` inside `ns` (ip netns exec replaces itself with the program, so the pid is
  // the program's); stdout and stderr go to `log`.
  pid_t Spawn(const std::string& ns, std::vector<std::string> argv, const std::string& log) {
    std::vector<std::string> full = {"ip", "netns", "exec", ns};
    full.insert(full.end(), argv.begin(), argv.end());
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> args;
      for (auto& s : full) args.push_back(s.data());
      args.push_back(nullptr);
      execvp("ip", args.data());
      _exit(127);
    }
    children_.push_back(pid);
    return pid;
  }
  // Sends `sig` and waits (bounded: 10 s, then SIGKILL). Returns the exit status or 128+signal.
  int Stop(pid_t pid, int sig) {
    ::kill(pid, sig);
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        Forget(pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    Forget(pid);
    return -1;
  }

 private:
  void Forget(pid_t pid) {
    for (auto it = children_.begin(); it != children_.end(); ++it) {
      if (*it == pid) {
        children_.erase(it);
        return;
      }
    }
  }
  void CleanLeftovers() {
    // Only this prefix's namespaces: "ip netns list" prints "name (id: N)" or "name".
    Sh("for n in $(ip netns list | awk '{print $1}' | grep '^" + prefix_ + "-'); do ip netns pids $n | xargs -r kill -9; ip netns del $n; done");
  }
  std::string prefix_, subnet_, sw_;
  std::vector<std::string> hosts_;
  std::vector<pid_t> children_;
  bool ok_ = false;
};

}  // namespace kiriwake::netns

#endif  // KIRIWAKE_TESTS_NETNS_NETNS_LAB_H_
