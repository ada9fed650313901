import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ImageRequestError } from "./image-errors.js";
import { mapAspectToSize, parseImageRequest } from "./image-request.js";

function fieldOf(input: unknown): { path?: string; hint?: string; code: string; message: string } {
  try {
    parseImageRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ImageRequestError);
    const e = error as ImageRequestError;
    expect(e.hint).toBeTruthy();
    return { path: e.path, hint: e.hint, code: e.code, message: e.message };
  }
  throw new Error("expected an ImageRequestError");
}

describe("parseImageRequest", () => {
  it("fills defaults and normalizes image to an array", () => {
    expect(parseImageRequest({ prompt: "a fox" })).toEqual({ prompt: "a fox", count: 1, images: [] });
    expect(parseImageRequest({ prompt: "x", image: "a.png", size: "3840X2160", resolution: "4k" })).toMatchObject({ images: ["a.png"], size: "3840x2160", resolution: "4K" });
    expect(parseImageRequest({ prompt: "x", image: ["a.png", "b.jpg"], count: 4, model: "openai/gpt-image-1" })).toMatchObject({ images: ["a.png", "b.jpg"], count: 4 });
  });

  it("names the field and the fix for each bad argument", () => {
    expect(fieldOf({ prompt: "x", count: 5 })).toMatchObject({ path: "count", code: "image_invalid_request" });
    expect(fieldOf({ prompt: "x", count: 0 }).path).toBe("count");
    expect(fieldOf({ prompt: "x", count: 1.5 }).path).toBe("count");
    const big = fieldOf({ prompt: "x", size: "4000x4000" });
    expect(big.path).toBe("size");
    expect(big.message).toContain("4000x4000");
    expect(big.hint).toContain("3840x2160");
    expect(parseImageRequest({ prompt: "x", size: "2160x3840" }).size).toBe("2160x3840");
    expect(fieldOf({ prompt: "x", size: "3000x3000" }).path).toBe("size");
    expect(fieldOf({ prompt: "x", size: "big" }).path).toBe("size");
    expect(fieldOf({ prompt: "x", size: "8x8" }).path).toBe("size");
    expect(fieldOf({ prompt: "x", image: ["1", "2", "3", "4", "5", "6"] })).toMatchObject({ path: "image" });
    expect(fieldOf({ prompt: "x", image: [] }).path).toBe("image");
    expect(fieldOf({ prompt: "   " }).path).toBe("prompt");
    expect(fieldOf({}).path).toBe("prompt");
    expect(fieldOf({ prompt: "x", quality: "ultra" }).path).toBe("quality");
    expect(fieldOf({ prompt: "x", outputFormat: "gif" }).path).toBe("outputFormat");
    expect(fieldOf({ prompt: "x", aspectRatio: "wide" }).path).toBe("aspectRatio");
    expect(fieldOf({ prompt: "x", resolution: "8K" }).path).toBe("resolution");
    expect(fieldOf({ prompt: "x", n: 2 })).toMatchObject({ path: "n", message: expect.stringContaining("unknown parameter") });
    expect(fieldOf({ prompt: "x", model: "anthropic/claude" }).path).toBe("model");
    expect(fieldOf({ prompt: "x", model: "gpt-image-2" }).path).toBe("model");
    expect(fieldOf({ prompt: "x", background: "transparent", outputFormat: "jpeg" }).path).toBe("background");
  });

  it("never echoes a secret-shaped value", () => {
    const e = fieldOf({ prompt: "x", model: "sk-proj-abcdefghijklmnop" });
    expect(e.message).not.toContain("sk-proj-abcdefghijklmnop");
  });
});

describe("mapAspectToSize", () => {
  it("maps common ratios and resolutions to sizes gpt-image-2 accepts", () => {
    expect(mapAspectToSize("1:1", undefined)).toBe("1024x1024");
    expect(mapAspectToSize("3:2", undefined)).toBe("1536x1024");
    expect(mapAspectToSize("2:3", undefined)).toBe("1024x1536");
    // 1024x576 is below gpt-image-2's pixel floor (655,360): scaled up, ratio kept.
    expect(mapAspectToSize("16:9", undefined)).toBe("1088x608");
    expect(mapAspectToSize("16:10", "1K")).toBe("1024x640");
    expect(mapAspectToSize("16:9", "4K")).toBe("3840x2160");
    expect(mapAspectToSize("9:16", "4K")).toBe("2160x3840");
    expect(mapAspectToSize("16:9", "2K")).toBe("2048x1152");
    expect(mapAspectToSize(undefined, "4K")).toBe("2160x2160");
    expect(mapAspectToSize(undefined, "2K")).toBe("2048x2048");
  });
  it("refuses ratios outside 3:1 or that rounding would distort", () => {
    expect(mapAspectToSize("4:1", undefined)).toBeUndefined();
    expect(mapAspectToSize("0:1", undefined)).toBeUndefined();
    expect(mapAspectToSize("1:0", "2K")).toBeUndefined();
    expect(mapAspectToSize("15:45", undefined)).toBeUndefined();
    expect(mapAspectToSize("2:2", undefined)).toBe("1024x1024");
  });
  it("every mapped size obeys the size rules (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), fc.constantFrom(undefined, "1K", "2K", "4K"), (w, h, res) => {
        const size = mapAspectToSize(`${w}:${h}`, res);
        if (size === undefined) return true;
        const [W, H] = size.split("x").map(Number) as [number, number];
        const ratioOk = Math.max(W, H) <= 3 * Math.min(W, H);
        const fits = Math.max(W, H) <= 3840 && Math.min(W, H) <= 2160 && W * H >= 655_360;
        const orientation = w === h || (w > h) === (W > H);
        return W % 16 === 0 && H % 16 === 0 && ratioOk && fits && orientation && parseImageRequest({ prompt: "p", size }).size === size;
      }),
    );
  });
});
