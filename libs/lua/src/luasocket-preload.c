// LuaSocket linked into the interpreter: its C cores and its Lua modules (embedded at compile time
// with #embed) are registered in package.preload, so require("socket"), require("socket.http")
// and the rest work with no files on the guest's filesystem.
#include <stddef.h>
#include "lua.h"
#include "lauxlib.h"

void luasocket_preload(lua_State *L);

int luaopen_socket_core(lua_State *L);
int luaopen_mime_core(lua_State *L);

// #embed is C23; clang accepts it in C11 as an extension, which is all this file needs of C23.
#pragma clang diagnostic ignored "-Wc23-extensions"

struct lua_module {
    const char *name;
    const char *chunkname;
    const char *text;
    size_t size;
};

#define LUA_MODULE(module, file, array) \
    { module, "=[luasocket] " file, array, sizeof array }

static const char socket_lua[] = {
#embed "socket.lua"
};
static const char ltn12_lua[] = {
#embed "ltn12.lua"
};
static const char mime_lua[] = {
#embed "mime.lua"
};
static const char url_lua[] = {
#embed "url.lua"
};
static const char headers_lua[] = {
#embed "headers.lua"
};
static const char http_lua[] = {
#embed "http.lua"
};
static const char tp_lua[] = {
#embed "tp.lua"
};
static const char ftp_lua[] = {
#embed "ftp.lua"
};
static const char smtp_lua[] = {
#embed "smtp.lua"
};

static const struct lua_module lua_modules[] = {
    LUA_MODULE("socket", "socket.lua", socket_lua),
    LUA_MODULE("ltn12", "ltn12.lua", ltn12_lua),
    LUA_MODULE("mime", "mime.lua", mime_lua),
    LUA_MODULE("socket.url", "url.lua", url_lua),
    LUA_MODULE("socket.headers", "headers.lua", headers_lua),
    LUA_MODULE("socket.http", "http.lua", http_lua),
    LUA_MODULE("socket.tp", "tp.lua", tp_lua),
    LUA_MODULE("socket.ftp", "ftp.lua", ftp_lua),
    LUA_MODULE("socket.smtp", "smtp.lua", smtp_lua),
};

// A package.preload loader: compiles the embedded text and runs it with require's arguments.
static int load_lua_module(lua_State *L) {
    const struct lua_module *module = lua_touserdata(L, lua_upvalueindex(1));
    if (luaL_loadbuffer(L, module->text, module->size, module->chunkname) != LUA_OK) return lua_error(L);
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

void luasocket_preload(lua_State *L) {
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_socket_core);
    lua_setfield(L, -2, "socket.core");
    lua_pushcfunction(L, luaopen_mime_core);
    lua_setfield(L, -2, "mime.core");
    for (size_t i = 0; i < sizeof lua_modules / sizeof lua_modules[0]; i++) {
        lua_pushlightuserdata(L, (void *)&lua_modules[i]);
        lua_pushcclosure(L, load_lua_module, 1);
        lua_setfield(L, -2, lua_modules[i].name);
    }
    lua_pop(L, 1);
}
