/* test_reports.c - sim800-conformance's reports validate: JUnit against tests/conformance/junit.xsd
 * (xmllint), and the HTML page opened in headless Chromium shows the matrix (screenshot, DOM). */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cf_testutil.h"

#define T SIM800_SOURCE_DIR "/tests/conformance"

static char dir[64], junit[128], html[128], png[128], profile[128];

/* One run with a pass and a fail per target (the plaintext driver is caught, the hanging case
 * passes because this adapter answers), and a skip: every cell kind in the reports. */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/sim800-cf-reports-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(junit, sizeof junit, "%s/junit.xml", dir);
	snprintf(html, sizeof html, "%s/report.html", dir);
	snprintf(png, sizeof png, "%s/report.png", dir);
	snprintf(profile, sizeof profile, "%s/chromium", dir);
	char out[1 << 16];
	const char *const a[] = {"--cases", T "/cases", "--adapter", T "/broken-plaintext",
				 "--profile", "sim800-r14.18", "--profile", "sim800-r13.08",
				 "--case", "https-never-plaintext", "--case", "hangs",
				 "--junit", junit, "--html", html, NULL};
	int rc = cf_test_runner(a, out, sizeof out);
	if (rc != 1) {
		fprintf(stderr, "runner exit %d: %s\n", rc, out);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void junit_validates_against_schema(void **state)
{
	(void)state;
	if (!cf_test_have("xmllint")) {
		fprintf(stderr, "skipped: xmllint is not installed (libxml2-utils, tools/setup)\n");
		skip();
	}
	char out[4096];
	const char *const a[] = {"xmllint", "--noout", "--schema", T "/junit.xsd", junit, NULL};
	assert_int_equal(cf_test_exec(a, out, sizeof out, 60), 0);
	/* The schema is not vacuous: a testcase without its time is refused. */
	char bad[160];
	snprintf(bad, sizeof bad, "%s/bad.xml", dir);
	FILE *f = fopen(bad, "w");
	assert_non_null(f);
	fputs("<testsuites><testsuite name=\"x\" tests=\"1\" failures=\"0\" errors=\"0\" "
	      "skipped=\"0\" time=\"0\"><testcase classname=\"c\" name=\"n\"/></testsuite>"
	      "</testsuites>\n", f);
	fclose(f);
	const char *const b[] = {"xmllint", "--noout", "--schema", T "/junit.xsd", bad, NULL};
	assert_int_not_equal(cf_test_exec(b, out, sizeof out, 60), 0);
}

static const char *chromium(void)
{
	return cf_test_have("chromium") ? "chromium" : cf_test_have("chromium-browser") ? "chromium-browser" : NULL;
}

/* PNG: signature, then IHDR with width and height (big-endian). */
static void png_size(const char *path, unsigned *w, unsigned *h, long *bytes)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char b[24];
	assert_int_equal(fread(b, 1, sizeof b, f), sizeof b);
	fseek(f, 0, SEEK_END);
	*bytes = ftell(f);
	fclose(f);
	assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(b + 12, "IHDR", 4);
	*w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
	*h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
}

static void html_opens_in_headless_chromium(void **state)
{
	(void)state;
	const char *browser = chromium();
	if (!browser) {
		fprintf(stderr, "skipped: chromium is not installed (Debian package chromium)\n");
		skip();
	}
	char shot[200], data[200], url[200];
	snprintf(shot, sizeof shot, "--screenshot=%s", png);
	snprintf(data, sizeof data, "--user-data-dir=%s", profile);
	snprintf(url, sizeof url, "file://%s", html);
	static char out[1 << 20];
	const char *const a[] = {browser, "--headless", "--no-sandbox", "--disable-gpu",
				 "--disable-background-networking", "--disable-component-update",
				 "--disable-sync", "--no-first-run", data, shot,
				 "--window-size=1200,900", url, NULL};
	assert_int_equal(cf_test_exec(a, out, sizeof out, 120), 0);
	unsigned w, h;
	long bytes;
	png_size(png, &w, &h, &bytes);
	assert_int_equal(w, 1200);
	assert_int_equal(h, 900);
	/* A blank 1200x900 page compresses to a few KB; tables with coloured cells do not. */
	if (bytes < 10000)
		fail_msg("screenshot %s is only %ld bytes: the page looks blank", png, bytes);
	/* The DOM as the browser built it: the matrix with pass and fail cells. */
	const char *const b[] = {browser, "--headless", "--no-sandbox", "--disable-gpu",
				 "--disable-background-networking", "--disable-component-update",
				 "--disable-sync", "--no-first-run", data, "--dump-dom", url, NULL};
	assert_int_equal(cf_test_exec(b, out, sizeof out, 120), 0);
	const char *m = strstr(out, "<table id=\"matrix\">");
	assert_non_null(m);
	assert_non_null(strstr(m, "<th>sim800-r14.18</th>"));
	assert_non_null(strstr(m, "<th>sim800-r13.08</th>"));
	assert_non_null(strstr(m, "<td class=\"pass\""));
	assert_non_null(strstr(m, "<td class=\"fail\""));
	assert_non_null(strstr(m, "https-never-plaintext"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(junit_validates_against_schema),
		cmocka_unit_test(html_opens_in_headless_chromium),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
