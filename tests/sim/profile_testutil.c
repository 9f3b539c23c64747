/* profile_testutil.c - helpers of the profile tests (profile_testutil.h). */
#include "profile_testutil.h"

/* Load or fail the test, printing the loader's error so a broken profile is easy to find. */
struct profile *prof_load_ok(const char *name_or_path)
{
	struct profile_error err;
	struct profile *p = profile_yaml_load(name_or_path, BUNDLED_DIR, &err);
	if (!p) {
		char buf[1400];
		profile_error_format(&err, buf, sizeof(buf));
		fail_msg("loading %s: %s", name_or_path, buf);
	}
	return p;
}

/* Load a profile that must fail, and check where and why. message is a substring. */
void prof_expect_error(const char *name_or_path, const char *file, unsigned line,
		       unsigned column, const char *path, const char *message)
{
	struct profile_error err;
	struct profile *p = profile_yaml_load(name_or_path, BUNDLED_DIR, &err);
	if (p) {
		profile_free(p);
		fail_msg("%s loaded, but should fail with \"%s\"", name_or_path, message);
	}
	char buf[1400];
	profile_error_format(&err, buf, sizeof(buf));
	print_message("  %s\n", buf);
	assert_string_equal(err.file, file);
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_string_equal(err.path, path);
	if (!strstr(err.message, message))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, message);
}

void prof_tmp_make(struct prof_tmpdir *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "/tmp/test_profile.XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

/* Write len bytes to dir/name and return the path (owned by t). */
const char *prof_tmp_write(struct prof_tmpdir *t, const char *name, const char *data,
			   size_t len)
{
	assert_true(t->n < 32);
	char *path = t->files[t->n++];
	char dir[sizeof(t->path)];
	memcpy(dir, t->path, sizeof dir); /* a separate buffer: gcc -O2 -Wrestrict sees one object */
	snprintf(path, sizeof(t->files[0]), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

const char *prof_tmp_write_str(struct prof_tmpdir *t, const char *name, const char *text)
{
	return prof_tmp_write(t, name, text, strlen(text));
}

/* Write text to a scratch file and expect loading it to fail in that file, at line:column. */
void prof_expect_text_error(struct prof_tmpdir *t, const char *name, const char *text,
			    unsigned line, unsigned column, const char *path,
			    const char *message)
{
	const char *f = prof_tmp_write_str(t, name, text);
	prof_expect_error(f, f, line, column, path, message);
}

void prof_tmp_clean(struct prof_tmpdir *t)
{
	for (size_t i = 0; i < t->n; i++)
		unlink(t->files[i]);
	rmdir(t->path);
}

const char prof_minimal_identity[] = "identity:\n"
				     "  ati: A\n"
				     "  manufacturer: M\n"
				     "  model: X\n"
				     "  revision: R\n"
				     "  imei: \"000000000000000\"\n"
				     "  iccid: \"000000000000000000\"\n"
				     "  imsi: \"000000\"\n";
