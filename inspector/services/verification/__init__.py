"""Verification that survives real handling: what a printed page's QR code and a file upload show.

- `access`: the access code printed on a case file's cover, and who may see its pages as issued
  (an officer in scope, or whoever typed the code); wrong codes are counted and limited.
- `pages`: one page of a registered PDF as an image (poppler's pdftoppm), to compare with paper.
- `seals`: a registered document followed by incremental updates (an electronic seal, a
  signature, an annotation) is recognised, and any update that changes the pages is refused.
- `public`: what of a party the public verify pages may show (公示): personal names of
  individual businesses and ID numbers are masked.

The register itself (number, SHA-256, token) is `services/documents.py`.
"""
