// libxslt and libexslt in wasm32-wasi: a stylesheet (a key, a sort, a parameter, an xsl:number,
// EXSLT's math:max and str:tokenize) applied to a document parsed from memory, the result
// serialized; a stylesheet with a broken XPath expression refused.
#include <libexslt/exslt.h>
#include <libxml/parser.h>
#include <libxslt/transform.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <stdio.h>
#include <string.h>

static const char DOC[] =
    "<libs>"
    "<lib name='libxslt' size='3' tags='xml xslt'/>"
    "<lib name='zlib' size='1' tags='gzip'/>"
    "<lib name='libxml2' size='2' tags='xml xpath'/>"
    "</libs>";

static const char XSL[] =
    "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'"
    " xmlns:math='http://exslt.org/math' xmlns:str='http://exslt.org/strings'"
    " extension-element-prefixes='math str'>"
    "<xsl:output method='text'/>"
    "<xsl:param name='title' select=\"'none'\"/>"
    "<xsl:key name='by-tag' match='lib' use='str:tokenize(@tags)'/>"
    "<xsl:template match='/libs'>"
    "<xsl:value-of select='$title'/>:"
    "<xsl:for-each select='lib'><xsl:sort select='@name'/>"
    "<xsl:text> </xsl:text><xsl:number value='position()'/>.<xsl:value-of select='@name'/>"
    "</xsl:for-each>"
    "; max=<xsl:value-of select='math:max(lib/@size)'/>"
    "; xml=<xsl:value-of select=\"count(key('by-tag', 'xml'))\"/>"
    "</xsl:template>"
    "</xsl:stylesheet>";

static const char EXPECTED[] = "pywasi: 1.libxml2 2.libxslt 3.zlib; max=3; xml=2";

static int fail(const char *what) {
  printf("FAIL %s\n", what);
  return 1;
}

static void quiet(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

int main(void) {
  exsltRegisterAll();
  xmlDocPtr styleDoc = xmlReadMemory(XSL, (int)strlen(XSL), "style.xsl", NULL, XML_PARSE_NONET);
  if (!styleDoc) return fail("parse the stylesheet");
  xsltStylesheetPtr style = xsltParseStylesheetDoc(styleDoc);  // owns styleDoc from here
  if (!style) return fail("compile the stylesheet");
  xmlDocPtr doc = xmlReadMemory(DOC, (int)strlen(DOC), "libs.xml", NULL, XML_PARSE_NONET);
  if (!doc) return fail("parse the document");

  const char *params[] = {"title", "'pywasi'", NULL};
  xmlDocPtr result = xsltApplyStylesheet(style, doc, params);
  if (!result) return fail("apply");
  xmlChar *text = NULL;
  int len = 0;
  if (xsltSaveResultToString(&text, &len, result, style) != 0 || !text) return fail("serialize");
  printf("result: %s\n", (char *)text);
  if (strcmp((char *)text, EXPECTED) != 0) return fail("the result is not the expected text");
  xmlFree(text);
  xmlFreeDoc(result);
  xmlFreeDoc(doc);
  xsltFreeStylesheet(style);

  // A well-formed stylesheet with a broken XPath expression: refused (its errors silenced).
  xmlSetGenericErrorFunc(NULL, quiet);
  xsltSetGenericErrorFunc(NULL, quiet);
  static const char BAD[] =
      "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>"
      "<xsl:template match='/'><xsl:value-of select='1 +'/></xsl:template></xsl:stylesheet>";
  xmlDocPtr badDoc = xmlReadMemory(BAD, (int)strlen(BAD), "bad.xsl", NULL, XML_PARSE_NONET);
  if (!badDoc) return fail("parse the broken stylesheet's document");
  xsltStylesheetPtr bad = xsltParseStylesheetDoc(badDoc);
  if (bad) return fail("a stylesheet with a broken XPath expression compiled");
  xmlFreeDoc(badDoc);  // not taken over by a stylesheet that failed

  xsltCleanupGlobals();
  xmlCleanupParser();
  printf("libxslt %s, libexslt %s, on libxml2 %s\nPASS libxslt\n", xsltEngineVersion, exsltLibraryVersion, xmlParserVersion);
  return 0;
}
