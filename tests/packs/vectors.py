"""Vector indexes: embeddings added to faiss, annoy, hnswlib, chromadb, qdrant (`collection.index`)."""

import annoy
import chromadb
import faiss
import hnswlib
import numpy as np
from peopledatalabs import PDLPY
from qdrant_client import QdrantClient

pdl = PDLPY(api_key="key")


def embed(email):
    person = pdl.person.enrichment(email=email).json()
    return np.array([person["likelihood"]], dtype="float32")


def indexes(email):
    vector = embed(email)
    index = faiss.IndexFlatL2(1)
    index.add(vector)  # expect: FL102
    index.search(vector, 5)
    ids = faiss.IndexIDMap(index)
    ids.add_with_ids(vector, np.array([1]))  # expect: FL102
    forest = annoy.AnnoyIndex(1, "angular")
    forest.add_item(0, vector)  # expect: FL102
    graph = hnswlib.Index(space="l2", dim=1)
    graph.add_items(vector)  # expect: FL102
    graph.knn_query(vector)


def chroma(email):
    person = pdl.person.enrichment(email=email).json()
    collection = chromadb.Client().get_or_create_collection("people")
    collection.add(ids=[email], documents=[person["full_name"]])  # expect: FL102
    collection.query(query_texts=[person["full_name"]])
    chromadb.PersistentClient(path="db").create_collection("p").upsert(ids=["1"], documents=[str(person)])  # expect: FL102


def qdrant(email):
    QdrantClient(":memory:").upsert(collection_name="people", points=[embed(email)])  # expect: FL102


def persisted_indexes(email):
    vector = embed(email)
    index = faiss.IndexFlatL2(1)
    index.add(vector)  # expect: FL102
    faiss.write_index(index, "people.faiss")  # expect: FL102
    faiss.write_index(faiss.IndexFlatL2(1), "empty.faiss")
    forest = annoy.AnnoyIndex(1, "angular")
    forest.add_item(0, vector)  # expect: FL102
    forest.build(10)
    forest.save("people.ann")  # expect: FL102
    annoy.AnnoyIndex(1, "angular").save("empty.ann")
    graph = hnswlib.Index(space="l2", dim=1)
    graph.add_items(vector)  # expect: FL102
    graph.save_index("people.bin")  # expect: FL102
