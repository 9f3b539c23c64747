/* profile_yaml.c - load a profile: find the file, follow its extends: chain, merge, convert. */
#include "profile_yaml.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile_schema.h"
#include "profile_tree.h"

#ifndef SIM800_PROFILE_DIR
#define SIM800_PROFILE_DIR "profiles"
#endif

#define MAX_FILE_BYTES (1024L * 1024L) /* a real profile is a few KiB */
#define MAX_EXTENDS    8u	       /* ancestors above the loaded file */

typedef struct profile_tree_node node_t;

/* One load: the files of the extends: chain, first the one asked for. */
struct loader {
	struct profile_error *err;
	const char *dir;	      /* where bundled names are looked up */
	char *files[MAX_EXTENDS + 1]; /* owned; tree nodes point into these names */
	dev_t dev[MAX_EXTENDS + 1];   /* identity of each file, for cycle detection */
	ino_t ino[MAX_EXTENDS + 1];
	size_t n_files;
};

static char *join3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* The profile_yaml.h rule: a '/' or a YAML suffix makes a path, anything else a bundled name. */
static bool is_path(const char *s)
{
	return strchr(s, '/') || ends_with(s, ".yaml") || ends_with(s, ".yml");
}

static bool valid_name(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

/*
 * Where a name or path points. from is the extending file, NULL for the profile asked for
 * (whose relative path is relative to the working directory). NULL when out of memory or
 * when ref is neither a path nor a valid name (*bad_name set).
 */
static char *resolve(const struct loader *L, const char *ref, const char *from, bool *bad_name)
{
	*bad_name = false;
	if (is_path(ref)) {
		const char *slash = from ? strrchr(from, '/') : NULL;
		if (ref[0] == '/' || !slash)
			return join3(ref, "", "");
		char *dir = join3(from, "", "");
		if (!dir)
			return NULL;
		dir[slash - from + 1] = '\0';
		char *p = join3(dir, ref, "");
		free(dir);
		return p;
	}
	if (!valid_name(ref)) {
		*bad_name = true;
		return NULL;
	}
	char *base = join3(L->dir, "/", ref);
	char *p = base ? join3(base, ".yaml", "") : NULL;
	free(base);
	return p;
}

/* An error about a file we could not use: at the extends: that named it, else at the file. */
static bool fail_file(struct loader *L, const node_t *ref, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool fail_file(struct loader *L, const node_t *ref, const char *file, const char *fmt, ...)
{
	char msg[sizeof(L->err->message)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ref)
		return profile_tree_fail(L->err, ref, "extends", "%s", msg);
	struct profile_error *e = L->err;
	snprintf(e->file, sizeof(e->file), "%s", file);
	e->line = 0;
	e->column = 0;
	e->path[0] = '\0';
	snprintf(e->message, sizeof(e->message), "%s", msg);
	return false;
}

static bool read_file(struct loader *L, const char *path, const node_t *ref, char **out,
		      size_t *out_len, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_file(L, ref, path, "cannot open \"%s\": %s", path, strerror(errno));
	bool ok = true;
	char *buf = NULL;
	size_t len = 0;
	if (fstat(fd, st) != 0)
		ok = fail_file(L, ref, path, "cannot stat \"%s\": %s", path, strerror(errno));
	else if (!S_ISREG(st->st_mode))
		ok = fail_file(L, ref, path, "\"%s\" is not a regular file", path);
	else if (st->st_size > MAX_FILE_BYTES)
		ok = fail_file(L, ref, path, "\"%s\" is larger than 1 MiB", path);
	else if (!(buf = malloc((size_t)st->st_size + 1)))
		ok = fail_file(L, ref, path, "out of memory");
	/* Read up to the size fstat saw: a file that grows meanwhile is cut there. */
	while (ok && len < (size_t)st->st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st->st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ok = fail_file(L, ref, path, "cannot read \"%s\": %s", path,
				       strerror(errno));
		else if (n == 0)
			break;
		else
			len += (size_t)n;
	}
	close(fd);
	if (!ok) {
		free(buf);
		return false;
	}
	*out = buf;
	*out_len = len;
	return true;
}

/* By device and inode, so that two spellings of one file (a/../b.yaml, links) still match. */
static bool cycle_check(struct loader *L, const node_t *ref, const struct stat *st)
{
	size_t last = L->n_files - 1;
	for (size_t i = 0; i < last; i++) {
		if (L->dev[i] != st->st_dev || L->ino[i] != st->st_ino)
			continue;
		char chain[sizeof(L->err->message) - 32];
		size_t len = 0;
		chain[0] = '\0';
		for (size_t j = 0; j <= last; j++)
			profile_tree_appendf(chain, sizeof(chain), &len, "%s%s", j ? " -> " : "",
					     L->files[j]);
		return fail_file(L, ref, L->files[last], "extends cycle: %s", chain);
	}
	L->dev[last] = st->st_dev;
	L->ino[last] = st->st_ino;
	return true;
}

/* Keys a child never inherits: its own identity as a profile, and the link itself. */
static const char *const not_inherited[] = { "name", "description", "extends", NULL };

/* The file an extends: node names, checked; NULL (with *err filled) when it names none. */
static char *parent_of(struct loader *L, const node_t *ext, const char *from)
{
	char what[PROFILE_TREE_SHOW_MAX];
	bool bad_name = false;
	char *path = NULL;
	if (ext->kind != PROFILE_TREE_SCALAR || ext->len == 0)
		profile_tree_fail(L->err, ext, "extends", "expected a profile name or path, got %s",
				  profile_tree_describe(ext, what, sizeof(what)));
	else if (L->n_files > MAX_EXTENDS)
		profile_tree_fail(L->err, ext, "extends",
				  "more than %u levels of extends:", MAX_EXTENDS);
	else if (!(path = resolve(L, ext->text, from, &bad_name)))
		profile_tree_fail(
			L->err, ext, "extends", "%s%s", profile_tree_quote(ext, what, sizeof(what)),
			bad_name ? " is not a profile name (letters, digits, '.', '-', '_')"
				 : ": out of memory");
	return path;
}

/*
 * Parse path (owned: it joins L->files, which the nodes borrow) and everything it extends,
 * merged into one tree. ref is the extends: node that named path, NULL for the first file.
 */
static node_t *load_file(struct loader *L, char *path, const node_t *ref)
{
	L->files[L->n_files++] = path;
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	if (!read_file(L, path, ref, &buf, &len, &st))
		return NULL;
	if (!cycle_check(L, ref, &st)) {
		free(buf);
		return NULL;
	}
	node_t *root = profile_tree_parse(buf, len, path, L->err);
	free(buf);
	if (!root)
		return NULL;
	char what[PROFILE_TREE_SHOW_MAX];
	if (root->kind != PROFILE_TREE_MAP) {
		profile_tree_fail(L->err, root, "",
				  "the top level must be a mapping of keys, got %s",
				  profile_tree_describe(root, what, sizeof(what)));
		profile_tree_free(root);
		return NULL;
	}
	const node_t *ext = profile_tree_get(root, "extends");
	if (!ext || profile_tree_is_null(ext))
		return root;
	char *parent_path = parent_of(L, ext, path);
	node_t *parent = parent_path ? load_file(L, parent_path, ext) : NULL;
	bool ok = parent && profile_tree_merge(root, parent, not_inherited);
	if (parent && !ok)
		profile_tree_fail(L->err, root, "", "out of memory");
	profile_tree_free(parent);
	if (!ok) {
		profile_tree_free(root);
		return NULL;
	}
	return root;
}

struct profile *profile_yaml_load(const char *name_or_path, const char *dir,
				  struct profile_error *err)
{
	struct profile_error scratch;
	struct loader L = { .err = err ? err : &scratch,
			    .dir = dir ? dir : profile_yaml_bundled_dir() };
	memset(L.err, 0, sizeof(*L.err));
	if (!name_or_path) {
		fail_file(&L, NULL, "", "no profile name given");
		return NULL;
	}
	bool bad_name = false;
	char *path = resolve(&L, name_or_path, NULL, &bad_name);
	if (!path) {
		fail_file(&L, NULL, name_or_path, "%s",
			  bad_name ? "not a profile name (letters, digits, '.', '-', '_') or path"
				   : "out of memory");
		return NULL;
	}
	node_t *root = load_file(&L, path, NULL);
	struct profile *p = root ? profile_schema_build(root, L.files[0], L.err) : NULL;
	profile_tree_free(root);
	for (size_t i = 0; i < L.n_files; i++)
		free(L.files[i]);
	return p;
}

void profile_error_format(const struct profile_error *err, char *buf, size_t cap)
{
	if (!buf || cap == 0)
		return;
	size_t len = 0;
	buf[0] = '\0';
	profile_tree_appendf(buf, cap, &len, "%s", err->file);
	if (err->line)
		profile_tree_appendf(buf, cap, &len, ":%u:%u", err->line, err->column);
	if (err->path[0])
		profile_tree_appendf(buf, cap, &len, ": %s", err->path);
	profile_tree_appendf(buf, cap, &len, ": %s", err->message);
}

const char *profile_yaml_bundled_dir(void)
{
	const char *env = getenv("SIM800_PROFILE_DIR");
	return env && *env ? env : SIM800_PROFILE_DIR;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names (file name less ".yaml") of dir's profiles, unsorted; false when out of memory. */
static bool collect_names(DIR *d, char ***names, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".yaml"))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **grown = realloc(*names, cap * sizeof(**names));
			if (!grown)
				return false;
			*names = grown;
		}
		char *name = malloc(len - 4);
		if (!name)
			return false;
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		(*names)[(*n)++] = name;
	}
	return true;
}

int profile_yaml_list(const char *dir, void (*fn)(const char *name, const char *path, void *ctx),
		      void *ctx)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **names = NULL;
	size_t n = 0;
	bool ok = collect_names(d, &names, &n);
	closedir(d);
	if (ok && n > 1)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; ok && i < n; i++) {
		char *base = join3(dir, "/", names[i]);
		char *path = base ? join3(base, ".yaml", "") : NULL;
		free(base);
		ok = path != NULL;
		if (ok && fn)
			fn(names[i], path, ctx);
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok ? (int)n : -1;
}
