"""A Gradio app with a text endpoint and an image endpoint, for the from_space/from_gradio tests.

Run: python gradio_app.py PORT  (serves on 127.0.0.1 until killed)
"""

from __future__ import annotations

import sys

import gradio as gr
from PIL import Image


def shout(text: str, times: int = 1) -> str:
    """Upper-case a text, repeated."""
    if text == "boom":
        raise gr.Error("The shouting machine is broken.")
    return " ".join([text.upper()] * int(times))


def tint(image: Image.Image, red: float) -> Image.Image:
    """Return an image of the same size filled with a shade of red."""
    return Image.new("RGB", image.size, (int(red), 0, 0))


with gr.Blocks() as demo:
    text, times, shouted = gr.Textbox(), gr.Number(value=1, precision=0), gr.Textbox()
    gr.Button().click(shout, [text, times], shouted, api_name="shout")
    image, red, tinted = gr.Image(type="pil"), gr.Slider(0, 255, value=255), gr.Image(type="pil")
    gr.Button().click(tint, [image, red], tinted, api_name="tint")

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]), quiet=True)
