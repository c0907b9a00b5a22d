// SPDX-License-Identifier: Apache-2.0
// The network side of the server: Boost.Beast over Asio. One I/O thread accepts and reads and
// writes every connection (plain and TLS) asynchronously; a complete request goes to a fixed
// pool of workers that run the handlers. A connection costs a socket and a little memory, never
// a thread, until its request is complete: slow or idle clients cannot starve the workers
// (issue 12). Deadlines and caps are ServerLimits (README "Server limits").

#include <sys/resource.h>

#include "cunxin/asio.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <set>

#include "server_impl.hpp"

namespace cunxin::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using beast::error_code;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

auto with_ec(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX decoding (invalid escapes stay as they are); '+' is a space in query strings only.
std::string decode_url(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%' && i + 2 < s.size()) {
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += plus_is_space && c == '+' ? ' ' : c;
    }
    return out;
}

void parse_query(std::string_view q, std::vector<std::pair<std::string, std::string>>& out) {
    std::size_t pos = 0;
    while (pos < q.size()) {
        auto end = q.find('&', pos);
        if (end == std::string_view::npos) end = q.size();
        const auto item = q.substr(pos, end - pos);
        pos = end + 1;
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            out.emplace_back(decode_url(item, true), std::string());
        } else {
            out.emplace_back(decode_url(item.substr(0, eq), true), decode_url(item.substr(eq + 1), true));
        }
    }
}

bool is_parse_error(const error_code& ec) {
    return ec.category() == error_code(bhttp::error::bad_method).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// A request on its way through a worker. Shared by the connection and the worker: whichever
// lets go last removes the streamed body file and ends an SSE stream's accounting.
struct Job {
    Request req;
    Response res;
    const CompiledRoute* route = nullptr;
    bool finished = false;  // I/O thread only
    bool admitted = false;  // Body::file: the route's admit() said yes
    explicit Job(asio::io_context& io) : done(io, asio::steady_timer::time_point::max()) {}
    ~Job() {
        if (res.on_end) res.on_end();
        if (!req.body_file.empty()) {
            std::error_code ec;
            std::filesystem::remove(req.body_file, ec);
        }
    }
    asio::steady_timer done;  // cancelled when the worker is done
};

class BeastTransport final : public Transport {
public:
    explicit BeastTransport(ServerImpl& s)
        : s_(s), pool_(static_cast<std::size_t>(std::max(2, s.cfg.threads))), plain_(io_), secure_(io_) {}

    ~BeastTransport() override { stop(); }

    void start() {
        const auto& L = s_.cfg.limits;
        max_connections_ = std::max(1, L.max_connections);
        // Keep the connections below the descriptor limit: SQLite, the modems and the log need
        // some too. Raise the soft limit to the hard one first (systemd's default soft 1024).
        rlimit rl{};
        if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
            if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
                rlimit want = rl;
                want.rlim_cur = std::min<rlim_t>(rl.rlim_max, 65536);
                if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
            }
            if (rl.rlim_cur != RLIM_INFINITY) {
                const auto room = static_cast<long long>(rl.rlim_cur) - 128;
                if (room < max_connections_) max_connections_ = static_cast<int>(std::max(16LL, room));
            }
        }
        upload_dir_ = s_.cfg.db_path.parent_path();
        if (upload_dir_.empty()) upload_dir_ = ".";
        remove_stale_uploads();
        if (s_.cfg.https) {
            const auto& h = *s_.cfg.https;
            try {
                ssl_.emplace(ssl::context::tls_server);
                ssl_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                                  ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
                ssl_->use_certificate_chain_file(h.cert.string());
                ssl_->use_private_key_file(h.key.string(), ssl::context::pem);
            } catch (const std::exception&) {
                throw std::runtime_error("https: cannot use " + h.cert.string() + " with " + h.key.string());
            }
            tls_port_ = bind(secure_, h.host, h.port, "https");
        }
        port_ = bind(plain_, s_.cfg.host, s_.cfg.port, "http");
        {
            auto& hub = s_.hub.impl();
            std::lock_guard lock(hub.mu);
            hub.wake = [this] {
                asio::post(io_, [this] {
                    for (auto* t : sse_waiting_) t->cancel();
                });
            };
        }
        asio::co_spawn(io_, accept_loop(plain_, false), asio::detached);
        if (ssl_) asio::co_spawn(io_, accept_loop(secure_, true), asio::detached);
        work_.emplace(io_.get_executor());
        thread_ = std::thread([this] {
            for (;;) {
                try {
                    io_.run();
                    return;
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "[http] I/O thread: %s\n", e.what());
                }
            }
        });
    }

    void stop() override {
        if (stopped_.exchange(true)) return;
        {
            auto& hub = s_.hub.impl();
            std::lock_guard lock(hub.mu);
            hub.wake = nullptr;
        }
        asio::post(io_, [this] {
            stopping_ = true;
            error_code ec;
            plain_.close(ec);
            secure_.close(ec);
            for (auto& [id, stream] : streams_) stream->socket().close(ec);
            for (auto* t : sse_waiting_) t->cancel();
        });
        pool_.join();  // handlers in flight finish (at most the core deadline)
        work_.reset();
        for (int i = 0; i < 300 && open_total_.load() > 0; ++i) std::this_thread::sleep_for(10ms);
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }

    int port() const override { return port_; }
    int tls_port() const override { return tls_port_; }

private:
    int bind(tcp::acceptor& acc, const std::string& host, int port, const char* what) {
        error_code ec;
        const auto addr = asio::ip::make_address(host, ec);
        if (ec) throw std::runtime_error(std::string(what) + ": cannot bind " + host + " (not an address)");
        const tcp::endpoint ep(addr, static_cast<unsigned short>(port));
        acc.open(ep.protocol(), ec);
        if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acc.bind(ep, ec);
        if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            throw std::runtime_error(std::string(what) + ": cannot bind " + host + ":" + std::to_string(port) +
                                     " (" + ec.message() + ")");
        }
        return acc.local_endpoint().port();
    }

    // Uploads a crash (or kill -9) left behind.
    void remove_stale_uploads() {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(upload_dir_, ec)) {
            const auto name = e.path().filename().string();
            if (name.rfind(".upload-", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".tmp") {
                std::error_code rm;
                std::filesystem::remove(e.path(), rm);
            }
        }
    }

    void refused(const std::string& addr, const char* why) {
        ++refused_;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_refusal_log_ >= 10s) {
            std::fprintf(stderr, "[http] refused %llu connection(s) in the last 10 s (%s, last from %s)\n",
                         static_cast<unsigned long long>(refused_), why, addr.c_str());
            refused_ = 0;
            last_refusal_log_ = now;
        }
    }

    asio::awaitable<void> accept_loop(tcp::acceptor& acc, bool tls) {
        const auto& L = s_.cfg.limits;
        for (;;) {
            error_code ec;
            tcp::socket sock = co_await acc.async_accept(with_ec(ec));
            if (stopping_ || ec == asio::error::operation_aborted) co_return;
            if (ec) {
                // Out of descriptors (EMFILE) or similar: back off instead of spinning.
                asio::steady_timer t(io_, 100ms);
                co_await t.async_wait(with_ec(ec));
                continue;
            }
            auto ep = sock.remote_endpoint(ec);
            if (ec) continue;
            auto ip = ep.address();
            if (ip.is_v6() && ip.to_v6().is_v4_mapped()) ip = ip.to_v6().to_v4();
            std::string addr = ip.to_string();
            if (open_ >= max_connections_) {
                refused(addr, "max_connections");
                continue;  // the socket closes here, before it costs more than a descriptor
            }
            auto it = per_address_.find(addr);
            if (it != per_address_.end() && it->second >= L.max_per_address) {
                refused(addr, "max_per_address");
                continue;
            }
            sock.set_option(tcp::no_delay(true), ec);
            ++open_;
            ++open_total_;
            ++per_address_[addr];
            asio::co_spawn(io_, connection(std::move(sock), std::move(addr), tls), asio::detached);
        }
    }

    // Counts a connection while it lives and lets stop() close it.
    struct Tracked {
        BeastTransport& t;
        std::string addr;
        std::uint64_t id;
        Tracked(BeastTransport& tr, std::string a, beast::tcp_stream* s)
            : t(tr), addr(std::move(a)), id(++tr.next_id_) {
            t.streams_.emplace(id, s);
        }
        ~Tracked() {
            t.streams_.erase(id);
            --t.open_;
            --t.open_total_;
            if (auto it = t.per_address_.find(addr); it != t.per_address_.end() && --it->second <= 0) {
                t.per_address_.erase(it);
            }
        }
        Tracked(const Tracked&) = delete;
        Tracked& operator=(const Tracked&) = delete;
    };

    asio::awaitable<void> connection(tcp::socket sock, std::string addr, bool tls) {
        try {
            if (!tls) {
                beast::tcp_stream stream(std::move(sock));
                Tracked tracked(*this, addr, &stream);
                co_await serve(stream, addr, false);
                error_code ec;
                stream.socket().shutdown(tcp::socket::shutdown_send, ec);
            } else {
                beast::ssl_stream<beast::tcp_stream> stream(std::move(sock), *ssl_);
                auto& lowest = beast::get_lowest_layer(stream);
                Tracked tracked(*this, addr, &lowest);
                lowest.expires_after(s_.cfg.limits.header_timeout);
                error_code ec;
                co_await stream.async_handshake(ssl::stream_base::server, with_ec(ec));
                if (ec) co_return;
                if (co_await serve(stream, addr, true) && !stopping_) {
                    lowest.expires_after(2s);
                    co_await stream.async_shutdown(with_ec(ec));
                }
            }
        } catch (const std::exception& e) {
            std::fprintf(stderr, "[http] connection from %s: %s\n", addr.c_str(), e.what());
        }
    }

    // Writes a response built on the I/O thread (errors before a handler ran) and closes.
    template <class Stream>
    asio::awaitable<void> send_and_close(Stream& stream, Response& res, bool tls) {
        res.close = true;
        if (!co_await write_response(stream, res, tls, false, false)) co_return;
        // Lingering close: a client still sending a refused body would otherwise get a reset
        // that can destroy the answer before it reads it. Bounded: 2 s and 4 MiB.
        auto& lowest = beast::get_lowest_layer(stream);
        error_code ec;
        lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
        lowest.expires_after(2s);
        std::size_t drained = 0;
        static char sink[16384];
        while (!ec && drained < (4u << 20)) {
            drained += co_await lowest.async_read_some(asio::buffer(sink), with_ec(ec));
        }
    }

    template <class Stream>
    asio::awaitable<bool> write_response(Stream& stream, Response& res, bool tls, bool keep_alive,
                                         bool head) {
        finish_response(s_, res, tls);
        bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
        for (auto& [k, v] : res.headers) out.insert(k, v);
        const std::size_t size = res.body.size();
        if (res.status != 204 && res.status != 304) {
            if (head) {
                out.content_length(size);
            } else {
                out.body() = std::move(res.body);
                out.prepare_payload();
            }
        }
        out.keep_alive(keep_alive && !res.close);
        auto& lowest = beast::get_lowest_layer(stream);
        lowest.expires_after(s_.cfg.limits.header_timeout +
                             std::chrono::seconds(size / std::max<std::size_t>(1, s_.cfg.limits.body_min_rate)));
        error_code ec;
        if (head) {
            bhttp::response_serializer<bhttp::string_body> sr(out);
            co_await bhttp::async_write_header(stream, sr, with_ec(ec));
        } else {
            co_await bhttp::async_write(stream, out, with_ec(ec));
        }
        co_return !ec;
    }

    // Serves requests until the client or a limit ends the connection. True when the
    // connection ended cleanly (a TLS close_notify is then worth sending).
    template <class Stream>
    asio::awaitable<bool> serve(Stream& stream, const std::string& addr, bool tls) {
        const auto& L = s_.cfg.limits;
        auto& lowest = beast::get_lowest_layer(stream);
        beast::flat_buffer buf;
        for (int n = 0; n < std::max(1, L.max_requests) && !stopping_; ++n) {
            error_code ec;
            // Refusals are named locals: GCC 12 mishandles temporaries in co_await expressions.
            Response refusal;
            if (n > 0 && buf.size() == 0) {
                // Keep-alive: the next request must start within the idle timeout.
                lowest.expires_after(L.idle_timeout);
                const auto got = co_await stream.async_read_some(buf.prepare(4096), with_ec(ec));
                if (ec) co_return false;
                buf.commit(got);
            }
            // The whole header block must arrive within header_timeout (one deadline, not per read).
            lowest.expires_after(L.header_timeout);
            bhttp::request_parser<bhttp::empty_body> hp;
            hp.header_limit(16 * 1024);
            hp.body_limit(std::numeric_limits<std::uint64_t>::max());  // judged below, per route
            co_await bhttp::async_read_header(stream, buf, hp, with_ec(ec));
            if (ec) {
                if (ec == bhttp::error::header_limit) {
                    auto r = error_response(Errc::bad_request, "request header too large");
                    r.status = 431;
                    refusal = std::move(r);
                    co_await send_and_close(stream, refusal, tls);
                } else if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length) {
                    // RFC 9112 §6.3: Content-Length with Transfer-Encoding is refused.
                    refusal = error_response(Errc::bad_request, "bad Content-Length or Transfer-Encoding");
                    co_await send_and_close(stream, refusal, tls);
                } else if (is_parse_error(ec)) {
                    refusal = error_response(Errc::bad_request, "malformed request");
                    co_await send_and_close(stream, refusal, tls);
                }
                co_return false;
            }
            auto& h = hp.get();
            auto job = std::make_shared<Job>(io_);
            Request& req = job->req;
            req.method = std::string(h.method_string());
            req.target = std::string(h.target());
            {
                const std::string_view t = sv(h.target());
                const auto q = t.find('?');
                req.path = decode_url(t.substr(0, q), false);
                if (q != std::string_view::npos) parse_query(t.substr(q + 1), req.params);
            }
            for (const auto& f : h) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            req.remote_addr = addr;
            req.tls = tls;
            bool keep = h.keep_alive();
            const bool has_cl = h.find(bhttp::field::content_length) != h.end();
            const bool has_te = h.find(bhttp::field::transfer_encoding) != h.end();
            if ((has_cl && has_te) || (has_te && !hp.chunked())) {
                // RFC 9112 §6.3: both framings (request smuggling) or an unknown coding.
                refusal = error_response(Errc::bad_request, "bad Content-Length or Transfer-Encoding");
                co_await send_and_close(stream, refusal, tls);
                co_return false;
            }
            if (req.target.empty() || req.target.front() != '/') {
                refusal = error_response(Errc::bad_request, "bad request target");
                co_await send_and_close(stream, refusal, tls);
                co_return false;
            }
            job->route = find_route(s_, req.method, req.path, req.matches);
            const bool redirecting = !tls && s_.cfg.https && s_.cfg.https->redirect_http;
            const bool to_file = job->route && job->route->route.body == Body::file && !redirecting;
            const auto length = hp.content_length();
            const bool has_body = length ? *length > 0 : hp.chunked();
            if (has_body) {
                std::uint64_t limit = memory_body_limit(s_, req.path);
                if (to_file) {
                    std::error_code fs_ec;
                    const auto space = std::filesystem::space(upload_dir_, fs_ec);
                    limit = fs_ec || space.available <= L.upload_reserve ? 0 : space.available - L.upload_reserve;
                    if (!length) {
                        auto r = error_response(Errc::bad_request, "Content-Length required");
                        r.status = 411;
                        refusal = std::move(r);
                        co_await send_and_close(stream, refusal, tls);
                        co_return false;
                    }
                }
                if (length && *length > limit) {
                    refusal = error_response(Errc::payload_too_large,
                                       to_file ? "not enough free space on the data partition" : "request body too large");
                    co_await send_and_close(stream, refusal, tls);
                    co_return false;
                }
                if (to_file && job->route->route.admit) {
                    // Authenticate before the body costs disk space.
                    lowest.expires_never();
                    std::function<void()> check = [job] {
                        job->admitted = job->route->route.admit(job->req, job->res);
                    };
                    if (!co_await on_worker(job, check)) co_return false;
                    if (!job->admitted) {
                        refusal = std::move(job->res);
                        co_await send_and_close(stream, refusal, tls);
                        co_return false;
                    }
                }
                if (iequals_ascii(sv(h[bhttp::field::expect]), "100-continue")) {
                    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                    lowest.expires_after(L.header_timeout);
                    co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                               with_ec(ec));
                    if (ec) co_return false;
                }
                // The body gets header_timeout plus the time its size takes at body_min_rate.
                const std::uint64_t expect = length ? *length : limit;
                lowest.expires_after(L.header_timeout +
                                     std::chrono::seconds(expect / std::max<std::size_t>(1, L.body_min_rate)));
                if (to_file) {
                    bhttp::request_parser<bhttp::file_body> p(std::move(hp));
                    p.body_limit(limit);
                    req.body_file = upload_dir_ / (".upload-" + random_token(9) + ".tmp");
                    p.get().body().open(req.body_file.c_str(), beast::file_mode::write_new, ec);
                    if (ec) {
                        req.body_file.clear();
                        std::fprintf(stderr, "[http] cannot create an upload file in %s: %s\n",
                                     upload_dir_.c_str(), ec.message().c_str());
                        refusal = error_response(Errc::internal, "");
                        co_await send_and_close(stream, refusal, tls);
                        co_return false;
                    }
                    co_await bhttp::async_read(stream, buf, p, with_ec(ec));
                    p.get().body().close();
                    if (ec) {
                        if (ec == bhttp::error::body_limit) {
                            refusal = error_response(Errc::payload_too_large, "not enough free space on the data partition");
                            co_await send_and_close(stream, refusal, tls);
                        } else if (is_parse_error(ec)) {
                            refusal = error_response(Errc::bad_request, "malformed request");
                            co_await send_and_close(stream, refusal, tls);
                        }
                        co_return false;  // the Job removes the partial file
                    }
                    req.body_size = length.value_or(0);
                } else {
                    bhttp::request_parser<bhttp::string_body> p(std::move(hp));
                    p.body_limit(limit);
                    co_await bhttp::async_read(stream, buf, p, with_ec(ec));
                    if (ec) {
                        if (ec == bhttp::error::body_limit) {
                            refusal = error_response(Errc::payload_too_large, "request body too large");
                            co_await send_and_close(stream, refusal, tls);
                        } else if (is_parse_error(ec)) {
                            refusal = error_response(Errc::bad_request, "malformed request");
                            co_await send_and_close(stream, refusal, tls);
                        }
                        co_return false;
                    }
                    req.body = std::move(p.get().body());
                    req.body_size = req.body.size();
                }
            }
            // Hand the complete request to a worker; the connection waits without a deadline
            // (handlers bound their own work: core_timeout).
            lowest.expires_never();
            std::function<void()> work = [this, job] {
                dispatch(s_, job->route, job->req, job->res);
                // The streamed body goes before the answer does (unless the handler kept it).
                if (!job->req.body_file.empty()) {
                    std::error_code rm;
                    std::filesystem::remove(job->req.body_file, rm);
                }
            };
            if (!co_await on_worker(job, work)) co_return false;
            if (job->res.sse) {
                co_await stream_events(stream, *job, tls);
                co_return false;
            }
            keep = keep && n + 1 < L.max_requests && !stopping_;
            if (!co_await write_response(stream, job->res, tls, keep, req.method == "HEAD")) co_return false;
            if (!keep || job->res.close) co_return true;
        }
        co_return true;
    }

    // Runs `fn` on a worker and resumes on the I/O thread when it is done. False at shutdown.
    asio::awaitable<bool> on_worker(const std::shared_ptr<Job>& job, const std::function<void()>& fn) {
        job->finished = false;
        job->done.expires_at(asio::steady_timer::time_point::max());
        asio::post(pool_, [this, job, fn] {
            fn();
            asio::post(io_, [job] {
                job->finished = true;
                job->done.cancel();
            });
        });
        error_code ec;
        co_await job->done.async_wait(with_ec(ec));
        co_return job->finished && !stopping_;
    }

    static bool iequals_ascii(std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
               });
    }

    // Server-Sent Events on the I/O thread: no thread per stream. The stream ends after
    // sse_lifetime (the panel's EventSource reconnects), at shutdown, or when a write fails.
    template <class Stream>
    asio::awaitable<void> stream_events(Stream& stream, Job& job, bool tls) {
        const auto& L = s_.cfg.limits;
        auto& hub = s_.hub.impl();
        auto& lowest = beast::get_lowest_layer(stream);
        finish_response(s_, job.res, tls);
        bhttp::response<bhttp::empty_body> out{bhttp::status::ok, 11};
        for (auto& [k, v] : job.res.headers) out.insert(k, v);
        out.chunked(true);
        out.keep_alive(false);
        bhttp::response_serializer<bhttp::empty_body> sr(out);
        error_code ec;
        lowest.expires_after(L.header_timeout);
        co_await bhttp::async_write_header(stream, sr, with_ec(ec));
        if (ec) co_return;
        std::uint64_t last = 0;
        {
            std::lock_guard lock(hub.mu);
            last = hub.seq;
        }
        constexpr auto kPing = 10s;
        const auto end_at = std::chrono::steady_clock::now() + L.sse_lifetime;
        auto last_write = std::chrono::steady_clock::now();
        std::string text = ": hello\n\n";
        asio::steady_timer wait(io_);
        for (;;) {
            if (!text.empty()) {
                char size[24];
                std::snprintf(size, sizeof size, "%zx\r\n", text.size());
                const std::string chunk = size + text + "\r\n";
                lowest.expires_after(L.header_timeout);
                co_await asio::async_write(stream, asio::buffer(chunk), with_ec(ec));
                if (ec) co_return;
                text.clear();
                last_write = std::chrono::steady_clock::now();
            }
            const auto now = std::chrono::steady_clock::now();
            if (stopping_ || now >= end_at) break;
            wait.expires_at(std::min(last_write + kPing, end_at));
            sse_waiting_.insert(&wait);
            co_await wait.async_wait(with_ec(ec));
            sse_waiting_.erase(&wait);
            if (stopping_) co_return;
            {
                std::lock_guard lock(hub.mu);
                if (hub.closing) break;
                if (hub.seq > last) {
                    for (const auto& [id, t] : hub.recent) {
                        if (id > last) text += t;
                    }
                    last = hub.seq;
                }
            }
            if (text.empty() && std::chrono::steady_clock::now() >= last_write + kPing) text = ": ping\n\n";
        }
        lowest.expires_after(2s);
        static constexpr std::string_view kLast = "0\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(kLast.data(), kLast.size()), with_ec(ec));
    }

    ServerImpl& s_;
    // I/O-thread state (declared before io_: coroutine frames destroyed with io_ still use it).
    std::unordered_map<std::string, int> per_address_;
    std::unordered_map<std::uint64_t, beast::tcp_stream*> streams_;
    std::set<asio::steady_timer*> sse_waiting_;
    std::uint64_t next_id_ = 0;
    int open_ = 0;
    int max_connections_ = 512;
    bool stopping_ = false;
    std::uint64_t refused_ = 0;
    std::chrono::steady_clock::time_point last_refusal_log_{};
    std::filesystem::path upload_dir_;
    std::atomic<int> open_total_{0};
    std::atomic<bool> stopped_{false};

    asio::io_context io_{1};
    asio::thread_pool pool_;
    std::optional<ssl::context> ssl_;
    tcp::acceptor plain_;
    tcp::acceptor secure_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::thread thread_;
    int port_ = 0;
    int tls_port_ = 0;
};

}  // namespace

std::unique_ptr<Transport> start_transport(ServerImpl& s) {
    auto t = std::make_unique<BeastTransport>(s);
    t->start();
    return t;
}

}  // namespace cunxin::http
