// LibYAML in wasm32-wasi: a document parsed into events and into a node tree, and emitted back;
// a malformed document reports its error and where it is.
#include <yaml.h>
#include <stdio.h>
#include <string.h>

static const char DOC[] =
    "name: pywasi\n"
    "libs: [zlib, libyaml, libxml2]\n"
    "nested:\n"
    "  answer: 42\n"
    "  text: |\n"
    "    two\n"
    "    lines\n"
    "anchor: &a {k: v}\n"
    "alias: *a\n";

static int fail(const char *what, int code) {
  printf("FAIL %s: %d\n", what, code);
  return 1;
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *map, const char *key) {
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(doc, p->key);
    if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) {
      yaml_node_t *v = yaml_document_get_node(doc, p->value);
      return v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : NULL;
    }
  }
  return NULL;
}

static yaml_node_t *child(yaml_document_t *doc, yaml_node_t *map, const char *key) {
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(doc, p->key);
    if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0) return yaml_document_get_node(doc, p->value);
  }
  return NULL;
}

int main(void) {
  // Events.
  yaml_parser_t parser;
  yaml_event_t event;
  int scalars = 0, aliases = 0, done = 0;
  if (!yaml_parser_initialize(&parser)) return fail("parser init", 0);
  yaml_parser_set_input_string(&parser, (const unsigned char *)DOC, strlen(DOC));
  while (!done) {
    if (!yaml_parser_parse(&parser, &event)) return fail("parse", parser.error);
    scalars += event.type == YAML_SCALAR_EVENT;
    aliases += event.type == YAML_ALIAS_EVENT;
    done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  if (scalars != 15 || aliases != 1) return fail("event counts", scalars * 100 + aliases);

  // A node tree.
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)DOC, strlen(DOC));
  if (!yaml_parser_load(&parser, &doc)) return fail("load", parser.error);
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root || root->type != YAML_MAPPING_NODE) return fail("root is not a mapping", root ? (int)root->type : -1);
  const char *name = scalar(&doc, root, "name");
  yaml_node_t *libs = child(&doc, root, "libs"), *nested = child(&doc, root, "nested");
  if (!name || strcmp(name, "pywasi") != 0) return fail("name", 0);
  if (!libs || libs->type != YAML_SEQUENCE_NODE || libs->data.sequence.items.top - libs->data.sequence.items.start != 3) return fail("libs", 0);
  if (!nested || strcmp(scalar(&doc, nested, "answer"), "42") != 0 || strcmp(scalar(&doc, nested, "text"), "two\nlines\n") != 0) return fail("nested", 0);
  if (child(&doc, root, "alias") != child(&doc, root, "anchor")) return fail("alias is not the anchored node", 0);

  // Emitted back (the emitter consumes the document).
  unsigned char out[1024] = {0};
  size_t written = 0;
  yaml_emitter_t emitter;
  yaml_emitter_initialize(&emitter);
  yaml_emitter_set_output_string(&emitter, out, sizeof out - 1, &written);
  if (!yaml_emitter_open(&emitter) || !yaml_emitter_dump(&emitter, &doc) || !yaml_emitter_close(&emitter)) return fail("emit", emitter.error);
  yaml_emitter_delete(&emitter);
  yaml_parser_delete(&parser);
  if (!strstr((char *)out, "name: pywasi") || !strstr((char *)out, "answer: 42")) return fail("emitted text", (int)written);

  // A malformed document.
  static const char BAD[] = "a: [1, 2\nb: c\n";
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)BAD, strlen(BAD));
  int loaded = yaml_parser_load(&parser, &doc);
  if (loaded) return fail("malformed document loaded", 0);
  printf("error as expected: %s at line %zu\n", parser.problem, parser.problem_mark.line + 1);
  yaml_parser_delete(&parser);

  printf("libyaml %s: %d scalars\nPASS libyaml\n", yaml_get_version_string(), scalars);
  return 0;
}
