// libxml2 in wasm32-wasi: a document with a namespace parsed from memory and queried with XPath;
// a windows-1252 document decoded (through wasi-libc's iconv) and saved as ISO-8859-15; a
// document saved gzip-compressed (through zlib) to the guest's /tmp and read back; a malformed
// document reports its error and line.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

static const char DOC[] =
    "<?xml version='1.0'?>\n"
    "<inv:stock xmlns:inv='urn:pywasi:inventory'>\n"
    "  <inv:item sku='a1' qty='3'>zlib</inv:item>\n"
    "  <inv:item sku='b2' qty='4'>libxml2</inv:item>\n"
    "  <inv:item sku='c3' qty='5'>libxslt</inv:item>\n"
    "</inv:stock>\n";

// "Price: <euro>12" in windows-1252: the euro sign is 0x80 there, U+20AC in UTF-8, 0xA4 in latin9.
static const char CP1252[] = "<?xml version='1.0' encoding='windows-1252'?><p>Price: \x80" "12</p>";

static int failures = 0;
static void check(int ok, const char *what) {
  if (!ok) {
    printf("FAIL %s\n", what);
    failures++;
  }
}

static int errors = 0, errorLine = 0;
static void onError(void *data, xmlErrorPtr error) {
  (void)data;
  errors++;
  if (!errorLine) errorLine = error->line;
}

int main(void) {
  LIBXML_TEST_VERSION
  // As python.wasm runs (musl's "" is C.UTF-8). In the "C" locale this wasi-libc's iconv cannot
  // write UTF-8 beyond ASCII (its MB_CUR_MAX reads the global locale, not the UTF-8 one iconv
  // switches to; fixed in wasi-libc after 2024-07, PR #511): see ../README.md.
  setlocale(LC_CTYPE, "C.UTF-8");

  // XPath over a namespaced document parsed from memory.
  xmlDocPtr doc = xmlReadMemory(DOC, (int)strlen(DOC), "stock.xml", NULL, XML_PARSE_NONET);
  check(doc != NULL, "parse");
  if (!doc) return 1;
  xmlXPathContextPtr xpath = xmlXPathNewContext(doc);
  xmlXPathRegisterNs(xpath, BAD_CAST "i", BAD_CAST "urn:pywasi:inventory");
  xmlXPathObjectPtr items = xmlXPathEvalExpression(BAD_CAST "//i:item[@qty > 3]", xpath);
  check(items && items->nodesetval && items->nodesetval->nodeNr == 2, "//i:item[@qty > 3] selects two items");
  if (items && items->nodesetval && items->nodesetval->nodeNr == 2) {
    xmlChar *first = xmlNodeGetContent(items->nodesetval->nodeTab[0]);
    check(xmlStrEqual(first, BAD_CAST "libxml2"), "the first of them is libxml2");
    xmlFree(first);
  }
  xmlXPathFreeObject(items);
  xmlXPathObjectPtr total = xmlXPathEvalExpression(BAD_CAST "sum(//i:item/@qty)", xpath);
  check(total && total->type == XPATH_NUMBER && total->floatval == 12, "sum(//i:item/@qty) is 12");
  xmlXPathFreeObject(total);
  xmlXPathObjectPtr sku = xmlXPathEvalExpression(BAD_CAST "string(//i:item[. = 'libxslt']/@sku)", xpath);
  check(sku && xmlStrEqual(sku->stringval, BAD_CAST "c3"), "the sku of libxslt is c3");
  xmlXPathFreeObject(sku);
  xmlXPathFreeContext(xpath);

  // gzip-compressed output through zlib, in the guest's /tmp, read back.
  const char *gz = "/tmp/pywasi-libxml2-test.xml.gz";
  xmlSetDocCompressMode(doc, 9);
  check(xmlSaveFile(gz, doc) > 0, "save compressed");
  FILE *f = fopen(gz, "rb");
  unsigned char magic[2] = {0, 0};
  check(f && fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b, "the saved file is gzip");
  if (f) fclose(f);
  xmlDocPtr back = xmlReadFile(gz, NULL, XML_PARSE_NONET);
  check(back && xmlStrEqual(xmlDocGetRootElement(back)->name, BAD_CAST "stock"), "the compressed file reads back");
  xmlFreeDoc(back);
  remove(gz);
  xmlFreeDoc(doc);

  // An encoding libxml2 has no built-in converter for: iconv's.
  doc = xmlReadMemory(CP1252, (int)strlen(CP1252), "cp1252.xml", NULL, XML_PARSE_NONET);
  check(doc != NULL, "parse windows-1252");
  if (doc) {
    xmlChar *text = xmlNodeGetContent(xmlDocGetRootElement(doc));
    check(xmlStrEqual(text, BAD_CAST "Price: \xe2\x82\xac" "12"), "windows-1252 0x80 decodes to U+20AC");
    xmlFree(text);
    xmlChar *latin9 = NULL;
    int size = 0;
    xmlDocDumpMemoryEnc(doc, &latin9, &size, "ISO-8859-15");
    check(latin9 && strstr((char *)latin9, "<p>Price: \xa4" "12</p>") != NULL, "saved as ISO-8859-15 the euro sign is 0xA4");
    xmlFree(latin9);
    xmlFreeDoc(doc);
  }

  // A malformed document: no tree, the error and its line reported.
  xmlSetStructuredErrorFunc(NULL, onError);
  doc = xmlReadMemory("<a>\n<b></a>", 11, "bad.xml", NULL, XML_PARSE_NONET);
  check(doc == NULL && errors > 0 && errorLine == 2, "a mismatched tag is an error on line 2");
  xmlFreeDoc(doc);
  xmlSetStructuredErrorFunc(NULL, NULL);

  xmlCleanupParser();
  if (failures) return 1;
  printf("libxml2 %s: XPath, iconv, zlib\nPASS libxml2\n", xmlParserVersion);
  return 0;
}
