// The real UDP socket on loopback: what the error queue reports for a datagram nobody takes.
#include "probe/datagram_socket.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>
#include <netinet/ip_icmp.h>

#include "../free_port.h"

namespace kiriwake::probe {
namespace {

TEST(UdpSocket, DatagramToAClosedPortComesBackOnTheErrorQueueWithItsOffender) {
  UdpSocketOptions so;
  auto bind = ParseEndpoint("127.0.0.1", 0);
  ASSERT_TRUE(bind.ok());
  so.bind = *bind;
  auto sock = UdpSocket::Open(so);
  ASSERT_TRUE(sock.ok()) << sock.status().ToString();
  int port = testing::FreePort();
  ASSERT_NE(port, 0);
  auto to = ParseEndpoint("127.0.0.1", static_cast<uint16_t>(port));
  ASSERT_TRUE(to.ok());
  const uint8_t payload[] = {'k', 'i', 'r', 'i', 'w', 'a', 'k', 'e'};
  OutDatagram out;
  out.to = *to;
  out.data = payload;
  out.len = sizeof payload;
  int err = 0;
  ASSERT_EQ((*sock)->Send({&out, 1}, &err), 1u) << std::strerror(err);

  // Loopback answers at once; allow 2 s in 10 ms steps for a loaded machine.
  InDatagram in[2];
  size_t got = 0;
  for (int i = 0; i < 200 && got == 0; ++i) {
    got = (*sock)->ReceiveErrors(in);
    if (got == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(got, 1u);
  const InDatagram& d = in[0];
  EXPECT_TRUE(d.is_error);
  EXPECT_EQ(d.error_errno, ECONNREFUSED);
  EXPECT_EQ(d.icmp_type, ICMP_DEST_UNREACH);
  EXPECT_EQ(d.icmp_code, ICMP_PORT_UNREACH);
  EXPECT_EQ(d.from.ToString(), to->ToString());
  EXPECT_EQ(d.offender.AddressString(), "127.0.0.1");
  ASSERT_EQ(d.len, sizeof payload);
  EXPECT_EQ(std::memcmp(d.data.data(), payload, sizeof payload), 0);
  EXPECT_EQ(d.rx_realtime_ns, 0);
  // The queue is empty now.
  EXPECT_EQ((*sock)->ReceiveErrors(in), 0u);
}

}  // namespace
}  // namespace kiriwake::probe
