// Where does Genesis keep its files on this machine?
import { resolveConfigPath, resolveGenesisHome } from "@genesis/core";

console.log("home:", resolveGenesisHome());
console.log("config:", resolveConfigPath());
