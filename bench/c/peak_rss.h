/* Peak resident set of this process in MB: VmHWM from /proc/self/status. Not getrusage's
 * ru_maxrss: on Linux that keeps the high-water mark of the process image before exec (here, the
 * forked copy of the Node parent), so it would report at least the parent's size. */
#ifndef PEAK_RSS_H
#define PEAK_RSS_H
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static double peak_rss_mb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f) {
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
      if (!strncmp(line, "VmHWM:", 6)) { sscanf(line + 6, "%ld", &kb); break; }
    fclose(f);
    if (kb >= 0) return kb / 1024.0;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}
#endif
