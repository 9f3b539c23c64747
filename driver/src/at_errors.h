/* at_errors.h - +CME ERROR and +CMS ERROR codes and their exact SIM800 texts (shared). */
#ifndef SIM800_AT_ERRORS_H
#define SIM800_AT_ERRORS_H

/* Text for a +CME ERROR code (MAN §19.1), or NULL if the manual lists none. */
const char *at_errors_cme_text(int code);
/* Text for a +CMS ERROR code (MAN §19.2), or NULL. */
const char *at_errors_cms_text(int code);
/* Code for a verbose +CME ERROR text (exact, as the module prints it), or -1. */
int at_errors_cme_code(const char *text);
/* Code for a verbose +CMS ERROR text, or -1. */
int at_errors_cms_code(const char *text);

#endif
