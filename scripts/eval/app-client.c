// SPDX-License-Identifier: GPL-2.0
/*
 * app-client.c - the client of scripts/eval/app-classes: N requests, one
 * after the other, on one keep-alive TCP connection to a server on
 * 127.0.0.1, between the window markers of the insn-classes plugin
 * (insn-marks.h), every reply checked.
 *
 *   app-client redis|http PORT [-n REQUESTS] [-w WARMUP] [-p PATH] [-t SECONDS] [-s]
 *
 * redis  RESP commands, SET and GET of one key in turn: request 2k is
 *        "SET app-client:key v<k>", whose reply must be "+OK"; request
 *        2k+1 is "GET app-client:key", whose reply must be the bulk
 *        string "v<k>". Every request is one command.
 * http   "GET PATH HTTP/1.1" (keep-alive, HTTP/1.1's default): the reply
 *        must be "HTTP/1.1 200", with a Content-Length, no
 *        "Connection: close", and the same body as the first reply.
 *
 * -n REQUESTS  requests inside the window (default 2000)
 * -w WARMUP    requests before it, on the same connection (default 200):
 *              the server's first requests fault in its pages and fill
 *              its caches
 * -p PATH      the path of http (default /index.html)
 * -t SECONDS   how long to retry connect() while the server starts
 *              (default 30; under -icount, guest seconds)
 * -s           redis: after the last request, "SHUTDOWN NOSAVE", and the
 *              server must close the connection without a reply (how
 *              scripts/run/app ends a server that runs alone in its guest)
 *
 * The window opens after the warm-up and closes after the last reply has
 * been checked: it holds the requests, their replies, and everything else
 * the one vCPU executes meanwhile (the server, the kernel, interrupts).
 * Written for a static build (gcc -static); it runs as it is without the
 * plugin, the markers being NOPs.
 *
 * Output: "app-client: PROTO: N requests in the window, every reply
 * checked" on stdout. Exit status: 0 when every request got its expected
 * reply; 1 when the connection failed or a reply was wrong (on stderr:
 * which request, what was expected, what came); 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "insn-marks.h"

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

#define BUF_SIZE	65536
#define MAX_BODY	(BUF_SIZE / 2)

struct conn {
	int fd;
	size_t off, len;	/* unread bytes: buf[off, len) */
	char buf[BUF_SIZE];
};

static long request_no;	/* the request under way, for messages */

static void window_open(void)
{
	__asm__ volatile(INSN_MARK_ASM(INSN_MARK_OPEN_BYTES) ::: "memory");
}

static void window_close(void)
{
	__asm__ volatile(INSN_MARK_ASM(INSN_MARK_CLOSE_BYTES) ::: "memory");
}

static void __noreturn __printf(1, 2) fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "app-client: request %ld: ", request_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void send_all(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(c->fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail("write: %s", strerror(errno));
		}
		p += r;
		n -= r;
	}
}

/* Read more bytes into the buffer; fails on EOF or error. */
static void fill(struct conn *c)
{
	ssize_t r;

	if (c->off && c->off == c->len) {
		c->off = 0;
		c->len = 0;
	}
	if (c->len == sizeof(c->buf)) {
		if (!c->off)
			fail("reply larger than %zu bytes", sizeof(c->buf));
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	do
		r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		fail("read: %s", strerror(errno));
	if (!r)
		fail("the server closed the connection");
	c->len += r;
}

/*
 * The next line, without its CRLF, NUL-terminated in the buffer (valid
 * until the next read); fails on a line without CR before LF.
 */
static char *get_line(struct conn *c)
{
	char *line, *nl;

	for (;;) {
		nl = memchr(c->buf + c->off, '\n', c->len - c->off);
		if (nl)
			break;
		fill(c);
	}
	line = c->buf + c->off;
	if (nl == line || nl[-1] != '\r')
		fail("a line without CRLF");
	nl[-1] = '\0';
	c->off = nl + 1 - c->buf;
	return line;
}

/* Copy the next n bytes into dst (n < MAX_BODY). */
static void get_bytes(struct conn *c, char *dst, size_t n)
{
	while (c->len - c->off < n)
		fill(c);
	memcpy(dst, c->buf + c->off, n);
	c->off += n;
}

static void redis_request(struct conn *c, long i)
{
	char cmd[128], val[32], got[MAX_BODY];
	const char *key = "app-client:key";
	char *line;
	int n;
	long len;

	snprintf(val, sizeof(val), "v%ld", i / 2);
	if (i % 2 == 0)
		n = snprintf(cmd, sizeof(cmd), "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n",
			     strlen(key), key, strlen(val), val);
	else
		n = snprintf(cmd, sizeof(cmd), "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n",
			     strlen(key), key);
	send_all(c, cmd, n);
	line = get_line(c);
	if (i % 2 == 0) {
		if (strcmp(line, "+OK"))
			fail("SET: expected \"+OK\", got \"%.80s\"", line);
		return;
	}
	if (line[0] != '$')
		fail("GET: expected a bulk string, got \"%.80s\"", line);
	len = strtol(line + 1, NULL, 10);
	if (len != (long)strlen(val))
		fail("GET: expected %zu bytes (\"%s\"), got \"%.80s\"", strlen(val), val, line);
	get_bytes(c, got, len + 2);
	if (memcmp(got, val, len) || got[len] != '\r' || got[len + 1] != '\n')
		fail("GET: expected \"%s\", got \"%.*s\"", val, (int)len, got);
}

static char first_body[MAX_BODY];
static long first_len = -1;

static void http_request(struct conn *c, const char *path)
{
	char req[512], body[MAX_BODY];
	long len = -1;
	char *line;
	int n;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (n >= (int)sizeof(req))
		fail("path too long");
	send_all(c, req, n);
	line = get_line(c);
	if (strncmp(line, "HTTP/1.1 200", 12))
		fail("expected \"HTTP/1.1 200\", got \"%.80s\"", line);
	while (*(line = get_line(c))) {
		if (!strncasecmp(line, "Content-Length:", 15))
			len = strtol(line + 15, NULL, 10);
		else if (!strncasecmp(line, "Connection:", 11) && strcasestr(line + 11, "close"))
			fail("the server closes the connection (keep-alive requests used up?)");
	}
	if (len < 0 || len >= MAX_BODY)
		fail("no usable Content-Length (%ld)", len);
	get_bytes(c, body, len);
	if (first_len < 0) {
		memcpy(first_body, body, len);
		first_len = len;
	} else if (len != first_len || memcmp(body, first_body, len)) {
		fail("the body differs from the first reply's (%ld bytes, then %ld)",
		     first_len, len);
	}
}

/* SHUTDOWN NOSAVE: a server that obeys closes the connection, no reply. */
static void redis_shutdown(struct conn *c)
{
	static const char cmd[] = "*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n";
	ssize_t r;

	send_all(c, cmd, sizeof(cmd) - 1);
	do
		r = read(c->fd, c->buf, sizeof(c->buf));
	while (r < 0 && errno == EINTR);
	if (r > 0)
		fail("SHUTDOWN: expected the connection closed, got \"%.*s\"",
		     (int)(r > 80 ? 80 : r), c->buf);
	if (r < 0 && errno != ECONNRESET)
		fail("SHUTDOWN: read: %s", strerror(errno));
}

static int connect_to(int port, int seconds)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int fd, one = 1, tries = seconds * 10;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			fail("socket: %s", strerror(errno));
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		if (errno != ECONNREFUSED || tries-- <= 0)
			fail("connect to 127.0.0.1:%d: %s", port, strerror(errno));
		close(fd);
		nanosleep(&pause, NULL);
	}
	/* One request per write, answered before the next: no coalescing. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		fail("TCP_NODELAY: %s", strerror(errno));
	return fd;
}

static void __noreturn usage(void)
{
	fprintf(stderr, "usage: app-client redis|http PORT [-n REQUESTS] [-w WARMUP]"
		" [-p PATH] [-t SECONDS] [-s]\n");
	exit(2);
}

static long number(const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	long requests = 2000, warmup = 200, i;
	const char *path = "/index.html";
	int redis, port, seconds = 30, opt, shutdown = 0;
	static struct conn c;

	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "redis"))
		redis = 1;
	else if (!strcmp(argv[1], "http"))
		redis = 0;
	else
		usage();
	port = number(argv[2], 1);
	if (port > 65535)
		usage();
	optind = 3;
	while ((opt = getopt(argc, argv, "n:w:p:t:s")) != -1) {
		switch (opt) {
		case 'n':
			requests = number(optarg, 1);
			break;
		case 'w':
			warmup = number(optarg, 0);
			break;
		case 'p':
			path = optarg;
			break;
		case 't':
			seconds = number(optarg, 0);
			break;
		case 's':
			shutdown = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (shutdown && !redis))
		usage();

	c.fd = connect_to(port, seconds);
	for (i = 0; i < warmup + requests; i++) {
		request_no = i;
		if (i == warmup)
			window_open();
		if (redis)
			redis_request(&c, i);
		else
			http_request(&c, path);
	}
	window_close();
	if (shutdown) {
		request_no = i;
		redis_shutdown(&c);
	}
	close(c.fd);
	printf("app-client: %s: %ld requests in the window, every reply checked\n",
	       redis ? "redis" : "http", requests);
	return 0;
}
